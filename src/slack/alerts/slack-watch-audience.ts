import type { webApi } from '@slack/bolt';
import type { Target } from '../../config/catalog.js';
import type { HealthRecord } from '../../jobs/watch/pair-health.js';
import type { WatchAudience } from '../../jobs/watch/watch-audience.js';
import type { SecretRedactor } from '../../logging/secret-redactor.js';
import type { HomeBoard } from '../home/home-board.js';
import type { RenderedMessage } from '../run-messages/block-text.js';
import type { SlackRateGate } from '../slack-rate-gate.js';
import { renderCheckResult, renderHealthAlert, renderRecovery } from './health-alert-message.js';

export interface SlackWatchAudienceOptions {
  client: webApi.WebClient;
  gate: SlackRateGate;
  redactor: SecretRedactor;
  board: HomeBoard;
}

/** Health in Slack: alerts and recoveries in the pair's alert channel, check answers, the boards. */
export class SlackWatchAudience implements WatchAudience {
  constructor(private readonly options: SlackWatchAudienceOptions) {}

  async announce(
    channel: string,
    target: Target,
    record: HealthRecord,
    kind: 'alert' | 'recovery',
  ): Promise<void> {
    await this.post(
      channel,
      kind === 'alert' ? renderHealthAlert(target, record) : renderRecovery(target, record),
    );
  }

  async postResult(
    channel: string,
    target: Target,
    record: HealthRecord,
    requestedBy: string,
  ): Promise<void> {
    await this.post(channel, renderCheckResult(target, record, requestedBy));
  }

  healthChanged(): Promise<void> {
    return this.options.board.refreshAll();
  }

  private async post(channel: string, message: RenderedMessage): Promise<void> {
    // Check messages quote services' answers; any secret the bot learnt is scrubbed all the same.
    const safe = JSON.parse(this.options.redactor.redact(JSON.stringify(message))) as RenderedMessage;
    await this.options.gate.call('chat.postMessage', () =>
      this.options.client.chat.postMessage({ channel, text: safe.text, blocks: safe.blocks }),
    );
  }
}
