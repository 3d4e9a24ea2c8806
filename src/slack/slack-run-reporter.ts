import type { RunReporter } from '../jobs/ports.js';
import type { PublishBacklog } from '../jobs/publish-backlog.js';
import type { RunRecord } from '../jobs/run-record.js';
import type { RunChange } from '../jobs/run-store.js';
import { CARD_KEY, cardMessage } from './run-messages/run-thread.js';
import type { SlackMessageWriter } from './slack-message-writer.js';

export interface SlackRunReporterOptions {
  backlog: PublishBacklog;
  writer: SlackMessageWriter;
  /** Wakes this process's publisher, when it has one (a web-only process leaves it to the workers'). */
  nudge?: () => void;
}

/**
 * Shows runs in Slack without making them wait for it: a change only puts the run in the publish
 * backlog, which the publisher drains within Slack's limits. Only the status card is posted in
 * the request path, so a channel the bot cannot reach ends the run before it starts.
 */
export class SlackRunReporter implements RunReporter {
  constructor(private readonly options: SlackRunReporterOptions) {}

  async changed(run: RunRecord): Promise<void> {
    if (!run.channel) return;
    await this.options.backlog.mark(run.id, run.revision ?? 0);
    this.options.nudge?.();
  }

  async announce(run: RunRecord): Promise<RunChange | undefined> {
    const channel = run.channel;
    if (!channel || run.cardTs) return undefined;
    const { writer } = this.options;
    const posted = await writer.post(
      { runId: run.id, key: CARD_KEY, channel },
      async () => cardMessage(run).message,
    );
    // Its intent stays until the publisher's next pass: the ts is stored only after this returns.
    await writer.remember(run.id, CARD_KEY, posted.fingerprint);
    return (r) => (r.cardTs ? undefined : { ...r, cardTs: posted.ts });
  }
}
