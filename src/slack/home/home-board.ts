import type { webApi } from '@slack/bolt';
import type { BoardRow } from '../../jobs/watch/board.js';
import type { BoardViewers } from '../../jobs/watch/board-viewers.js';
import type { Logger } from '../../logging/logger.js';
import type { SlackRateGate } from '../slack-rate-gate.js';
import { renderBoard } from './board-view.js';

export interface HomeBoardOptions {
  client: webApi.WebClient;
  gate: SlackRateGate;
  readBoard(): Promise<BoardRow[]>;
  viewers: BoardViewers;
  logger: Logger;
  now?: () => number;
}

/** Publishes the board to people's App Home tab: when they open it, and when health changes. */
export class HomeBoard {
  private readonly now: () => number;

  constructor(private readonly options: HomeBoardOptions) {
    this.now = options.now ?? Date.now;
  }

  async opened(userId: string): Promise<void> {
    await this.options.viewers.add(userId);
    await this.publish(userId, await this.options.readBoard());
  }

  /** Redraws every board people have opened; one failure does not stop the others. */
  async refreshAll(): Promise<void> {
    const users = await this.options.viewers.list();
    if (users.length === 0) return;
    const rows = await this.options.readBoard();
    for (const user of users) {
      await this.publish(user, rows).catch((error: unknown) =>
        this.options.logger.warn({ err: error, user }, 'publishing the App Home board failed'),
      );
    }
  }

  private async publish(userId: string, rows: BoardRow[]): Promise<void> {
    const view = renderBoard(rows, this.now());
    await this.options.gate.call('views.publish', () =>
      this.options.client.views.publish({ user_id: userId, view }),
    );
  }
}
