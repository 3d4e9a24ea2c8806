import { createHash } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import { BotError } from '../errors.js';
import { AUDIENCE_UNREACHABLE, PublishIncompleteError, type RunReporter } from '../jobs/ports.js';
import { isFinal, type RunRecord } from '../jobs/run-record.js';
import type { RunChange } from '../jobs/run-store.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { renderApproval } from './run-messages/approval-message.js';
import { fitBlocks, type RenderedMessage } from './run-messages/block-text.js';
import { renderCard, renderFinal } from './run-messages/run-card.js';
import { renderStep } from './run-messages/step-message.js';
import { slackPlatformError } from './slack-errors.js';
import type { SlackRateGate } from './slack-rate-gate.js';

export interface SlackRunReporterOptions {
  client: webApi.WebClient;
  redactor: SecretRedactor;
  /** Every Web API call waits its turn here, honouring Retry-After. */
  gate: SlackRateGate;
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
    const shown: RunChange[] = [];
    const combined = (): RunChange | undefined =>
      shown.length === 0 ? undefined : (r) => shown.reduce<RunRecord>((acc, change) => change(acc) ?? acc, r);
    try {
      await this.publishAll(run, channel, options.post, shown);
    } catch (error) {
      const change = combined();
      throw change ? new PublishIncompleteError(change, error) : error;
    }
    return combined();
  }

  /** Shows each message in order, recording each new message's ts in `shown` as soon as it exists. */
  private async publishAll(
    run: RunRecord,
    channel: string,
    post: boolean,
    shown: RunChange[],
  ): Promise<void> {
    const show = (
      ts: string | undefined,
      threadTs: string | undefined,
      message: RenderedMessage,
      broadcast = false,
    ) => this.show({ channel, ts, threadTs, message, broadcast, post });

    const cardTs = await show(run.cardTs, undefined, renderCard(run));
    if (!cardTs) return;
    if (cardTs !== run.cardTs) shown.push((r) => ({ ...r, cardTs }));

    for (const step of run.steps.filter((s) => s.status !== 'pending')) {
      const ts = await show(step.messageTs, cardTs, renderStep(run, step));
      if (ts && ts !== step.messageTs) {
        shown.push((r) => ({
          ...r,
          steps: r.steps.map((s) => (s.id === step.id ? { ...s, messageTs: ts } : s)),
        }));
      }
    }
    for (const approval of run.approvals.filter((a) => a.status !== 'not_needed')) {
      const rendered = renderApproval(run, approval, this.options.describeApprovers(run));
      const ts = await show(approval.messageTs, cardTs, rendered);
      if (ts && ts !== approval.messageTs) {
        shown.push((r) => ({
          ...r,
          approvals: r.approvals.map((a) =>
            a.phase === approval.phase &&
            a.attempt === approval.attempt &&
            a.requestedAt === approval.requestedAt
              ? { ...a, messageTs: ts }
              : a,
          ),
        }));
      }
    }
    // After a Retry the old closing message stays and is edited, rather than leaving a stale Retry button.
    if (isFinal(run.status) || run.finalTs) {
      const ts = await show(run.finalTs, cardTs, renderFinal(run), run.status === 'failed');
      if (ts && ts !== run.finalTs) shown.push((r) => ({ ...r, finalTs: ts }));
    }
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
    const blocks = fitBlocks(JSON.parse(this.options.redactor.redact(JSON.stringify(message.blocks))));
    const fingerprint = createHash('sha256').update(text).update(JSON.stringify(blocks)).digest('hex');
    const { client, gate } = this.options;
    if (ts) {
      if (this.shown.get(`${channel}/${ts}`) === fingerprint) return ts;
      await reaching(channel, () =>
        gate.call('chat.update', () => client.chat.update({ channel, ts, text, blocks })),
      );
      this.shown.set(`${channel}/${ts}`, fingerprint);
      return ts;
    }
    if (!request.post) return undefined;
    const thread = threadTs ? { thread_ts: threadTs, reply_broadcast: broadcast } : {};
    const posted = await reaching(channel, () =>
      gate.call('chat.postMessage', () => client.chat.postMessage({ channel, text, blocks, ...thread })),
    );
    if (posted.ts) this.shown.set(`${channel}/${posted.ts}`, fingerprint);
    return posted.ts;
  }
}

/** Slack's answers that mean the bot cannot show anything in this channel at all. */
const CHANNEL_UNREACHABLE: Record<string, string> = {
  not_in_channel:
    'I am not a member of this channel. Invite me with `/invite @retirement-bot`, or ask in a channel I am in.',
  channel_not_found:
    'I cannot see this channel (a private channel or a direct message I am not part of). Invite me with `/invite @retirement-bot`, or ask in a channel I am in.',
  is_archived: 'This channel is archived. Ask in a channel I am in.',
};

async function reaching<T>(channel: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const reason = CHANNEL_UNREACHABLE[slackPlatformError(error) ?? ''];
    if (!reason) throw error;
    throw new BotError({
      code: AUDIENCE_UNREACHABLE,
      userMessage: reason,
      detail: `${slackPlatformError(error)} in ${channel}`,
      cause: error,
    });
  }
}
