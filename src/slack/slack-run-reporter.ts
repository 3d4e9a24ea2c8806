import { createHash } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import type { RunReporter } from '../jobs/ports.js';
import { isFinal, type RunRecord } from '../jobs/run-record.js';
import type { RunChange } from '../jobs/run-store.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { renderApproval } from './run-messages/approval-message.js';
import type { RenderedMessage } from './run-messages/block-text.js';
import { renderCard, renderFinal } from './run-messages/run-card.js';
import { renderStep } from './run-messages/step-message.js';

export interface SlackRunReporterOptions {
  client: webApi.WebClient;
  redactor: SecretRedactor;
  /** Renders who may approve a run (user and group mentions). */
  describeApprovers(run: RunRecord): string;
}

/**
 * Mirrors a run into Slack: one status card in the channel and, in its thread, one message per
 * step and per approval, each edited in place. Rendering is idempotent, so a resumed run simply
 * re-publishes; unchanged messages are not sent again.
 */
export class SlackRunReporter implements RunReporter {
  /** Hash of what each message last showed, so unchanged messages are not edited again. */
  private readonly shown = new Map<string, string>();

  constructor(private readonly options: SlackRunReporterOptions) {}

  async publish(run: RunRecord, options: { post: boolean }): Promise<RunChange | undefined> {
    const channel = run.channel;
    if (!channel) return undefined;
    const patches: RunChange[] = [];
    const show = (
      ts: string | undefined,
      threadTs: string | undefined,
      message: RenderedMessage,
      broadcast = false,
    ) => this.show({ channel, ts, threadTs, message, broadcast, post: options.post });

    const cardTs = await show(run.cardTs, undefined, renderCard(run));
    if (!cardTs) return undefined;
    if (cardTs !== run.cardTs) patches.push((r) => ({ ...r, cardTs }));

    for (const step of run.steps.filter((s) => s.status !== 'pending')) {
      const ts = await show(step.messageTs, cardTs, renderStep(run, step));
      if (ts && ts !== step.messageTs) {
        patches.push((r) => ({
          ...r,
          steps: r.steps.map((s) => (s.id === step.id ? { ...s, messageTs: ts } : s)),
        }));
      }
    }
    for (const approval of run.approvals) {
      const rendered = renderApproval(run, approval, this.options.describeApprovers(run));
      const ts = await show(approval.messageTs, cardTs, rendered);
      if (ts && ts !== approval.messageTs) {
        patches.push((r) => ({
          ...r,
          approvals: r.approvals.map((a) => (a.phase === approval.phase ? { ...a, messageTs: ts } : a)),
        }));
      }
    }
    // After a Retry the old closing message stays and is edited, rather than leaving a stale Retry button.
    if (isFinal(run.status) || run.finalTs) {
      const ts = await show(run.finalTs, cardTs, renderFinal(run), run.status === 'failed');
      if (ts && ts !== run.finalTs) patches.push((r) => ({ ...r, finalTs: ts }));
    }
    if (patches.length === 0) return undefined;
    return (r) => patches.reduce<RunRecord>((acc, patch) => patch(acc) ?? acc, r);
  }

  /** Posts the message (in the thread when threadTs is given) or edits it; returns its ts. */
  private async show(request: {
    channel: string;
    ts: string | undefined;
    threadTs: string | undefined;
    message: RenderedMessage;
    broadcast: boolean;
    post: boolean;
  }): Promise<string | undefined> {
    const { channel, ts, threadTs, message, broadcast } = request;
    const text = this.options.redactor.redact(message.text);
    const blocks = JSON.parse(this.options.redactor.redact(JSON.stringify(message.blocks)));
    const fingerprint = createHash('sha256').update(text).update(JSON.stringify(blocks)).digest('hex');
    if (ts) {
      if (this.shown.get(`${channel}/${ts}`) === fingerprint) return ts;
      await this.options.client.chat.update({ channel, ts, text, blocks });
      this.shown.set(`${channel}/${ts}`, fingerprint);
      return ts;
    }
    if (!request.post) return undefined;
    const posted = threadTs
      ? await this.options.client.chat.postMessage({
          channel,
          text,
          blocks,
          thread_ts: threadTs,
          reply_broadcast: broadcast,
        })
      : await this.options.client.chat.postMessage({ channel, text, blocks });
    if (posted.ts) this.shown.set(`${channel}/${posted.ts}`, fingerprint);
    return posted.ts;
  }
}
