import type { Target } from '../../config/catalog.js';
import type { HealthRecord } from './pair-health.js';

/**
 * Who hears about health (the Slack alert channel, the App Home board); implemented by a surface,
 * called by the watch service, which never imports it.
 */
export interface WatchAudience {
  /** Posts a change of the pair's health (an alert, or the one recovery) to `channel`. */
  announce(channel: string, target: Target, record: HealthRecord, kind: 'alert' | 'recovery'): Promise<void>;
  /** Answers a `/retirement check` in the channel it was asked in. */
  postResult(channel: string, target: Target, record: HealthRecord, requestedBy: string): Promise<void>;
  /** The pair's health changed: boards people have open are redrawn. */
  healthChanged(): Promise<void>;
}
