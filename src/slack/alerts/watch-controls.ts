import type { Target } from '../../config/catalog.js';
import type { WatchService } from '../../jobs/watch/watch-service.js';
import type { HomeBoard } from '../home/home-board.js';

/** What the Slack surface may ask of the drift watch. */
export interface WatchControls {
  service: Pick<WatchService, 'silence'>;
  /** Queues a check now; its result is posted in `channel`. */
  requestCheck(target: Target, channel: string, userId: string): Promise<void>;
  board: HomeBoard;
}
