import { createHash } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { BotError } from '../errors.js';
import { AUDIENCE_UNREACHABLE } from '../jobs/ports.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';
import { fitBlocks, type RenderedMessage } from './run-messages/block-text.js';
import { slackPlatformError } from './slack-errors.js';
import type { SlackRateGate } from './slack-rate-gate.js';

export interface SlackMessageWriterOptions {
  client: webApi.WebClient;
  /** Every Web API call waits its turn here. */
  gate: SlackRateGate;
  redactor: SecretRedactor;
  redis: Redis;
  prefix: string;
  /** How long a write may wait for its turn at Slack (longer for the publisher than in a request). */
  maxWaitMs: number;
}

/** Where a new message goes: the channel, or the card's thread. */
export interface PostTarget {
  runId: string;
  key: string;
  channel: string;
  threadTs?: string;
  broadcast?: boolean;
}

/** The metadata event type that names a run's messages, so a post cut short by a crash is found again. */
export const MESSAGE_EVENT_TYPE = 'retirement_bot_run_message';

/** What was shown and what is being posted is kept as long as finished runs are. */
const STATE_TTL_SECONDS = 90 * 24 * 3600;

const listedMessages = z.object({
  messages: z
    .array(
      z.object({
        ts: z.string(),
        metadata: z
          .object({
            event_type: z.string(),
            event_payload: z.object({ run_id: z.string(), key: z.string() }).partial().passthrough(),
          })
          .optional(),
      }),
    )
    .default([]),
});

/**
 * Writes a run's messages to Slack, at most once each. A post is preceded by an intent kept in
 * Redis and carries message metadata naming the run and the message; if the process dies after
 * Slack took the post but before its ts was stored, the next attempt finds the intent, looks the
 * message up by its metadata and adopts it instead of posting a second copy.
 */
export class SlackMessageWriter {
  constructor(private readonly options: SlackMessageWriterOptions) {}

  /** Posts the message (or adopts the one an interrupted post left) and returns its ts and fingerprint. */
  async post(
    target: PostTarget,
    render: () => Promise<RenderedMessage>,
    maxWaitMs = this.options.maxWaitMs,
  ): Promise<{ ts: string; fingerprint: string }> {
    const { redis } = this.options;
    const stateKey = this.stateKey(target.runId);
    const intent = await redis.hget(stateKey, `posting:${target.key}`);
    if (intent) {
      const found = await this.find(target, Number(intent));
      if (found) return { ts: found, fingerprint: '' };
    }
    const { channel, threadTs } = target;
    const thread = threadTs ? { thread_ts: threadTs, reply_broadcast: target.broadcast ?? false } : {};
    const metadata = {
      event_type: MESSAGE_EVENT_TYPE,
      event_payload: { run_id: target.runId, key: target.key },
    };
    let fingerprint = '';
    const posted = await this.options.gate.call(
      'chat.postMessage',
      async () => {
        const content = this.content(await render());
        fingerprint = content.fingerprint;
        // The intent is written once the post has its turn: a post refused before it was sent
        // leaves nothing to look up. No MULTI: an EXEC would drop the run store's WATCH.
        await redis.hset(stateKey, `posting:${target.key}`, String(Date.now()));
        await redis.expire(stateKey, STATE_TTL_SECONDS);
        return reaching(channel, () =>
          this.options.client.chat.postMessage({ channel, ...content.body, ...thread, metadata }),
        );
      },
      channel,
      maxWaitMs,
    );
    if (!posted.ts) throw new Error(`chat.postMessage in ${channel} answered without a ts`);
    return { ts: posted.ts, fingerprint };
  }

  /** The post's ts is stored in the run record: its intent is no longer needed. */
  async posted(runId: string, key: string, fingerprint: string): Promise<void> {
    await this.options.redis.hset(this.stateKey(runId), `shown:${key}`, fingerprint);
    await this.options.redis.hdel(this.stateKey(runId), `posting:${key}`);
  }

  /** Records what a message shows, keeping its post's intent (its ts is not stored yet). */
  async remember(runId: string, key: string, fingerprint: string): Promise<void> {
    await this.options.redis.hset(this.stateKey(runId), `shown:${key}`, fingerprint);
  }

  /**
   * Edits a message to what `render` says at the moment Slack's limits let the edit go. `maxWaitMs`
   * (for both writes) is how long this one may wait for its turn: less for writes that can wait.
   */
  async update(
    runId: string,
    key: string,
    at: { channel: string; ts: string },
    render: () => Promise<RenderedMessage>,
    maxWaitMs = this.options.maxWaitMs,
  ): Promise<void> {
    const { channel, ts } = at;
    let fingerprint = '';
    await this.options.gate.call(
      'chat.update',
      async () => {
        const content = this.content(await render());
        fingerprint = content.fingerprint;
        return reaching(channel, () => this.options.client.chat.update({ channel, ts, ...content.body }));
      },
      channel,
      maxWaitMs,
    );
    await this.options.redis.hset(this.stateKey(runId), `shown:${key}`, fingerprint);
  }

  /** What each of the run's messages shows now, by key (as fingerprints). */
  async shown(runId: string): Promise<Map<string, string>> {
    const fields = await this.options.redis.hgetall(this.stateKey(runId));
    return new Map(
      Object.entries(fields).flatMap(([field, value]) =>
        field.startsWith('shown:') ? [[field.slice('shown:'.length), value] as const] : [],
      ),
    );
  }

  fingerprint(message: RenderedMessage): string {
    return this.content(message).fingerprint;
  }

  private content(message: RenderedMessage) {
    const text = this.options.redactor.redact(message.text);
    const blocks = fitBlocks(JSON.parse(this.options.redactor.redact(JSON.stringify(message.blocks))));
    const fingerprint = createHash('sha256').update(text).update(JSON.stringify(blocks)).digest('hex');
    return { body: { text, blocks }, fingerprint };
  }

  /** The message an interrupted post left, found by its metadata in the thread (or the channel). */
  private async find(target: PostTarget, since: number): Promise<string | undefined> {
    const { client, gate } = this.options;
    const { channel, threadTs } = target;
    const answer = threadTs
      ? await gate.call(
          'conversations.replies',
          () =>
            client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 1000 }),
          channel,
          this.options.maxWaitMs,
        )
      : await gate.call(
          'conversations.history',
          () =>
            client.conversations.history({
              channel,
              oldest: String(Math.floor(since / 1000) - 60),
              include_all_metadata: true,
              limit: 1000,
            }),
          channel,
          this.options.maxWaitMs,
        );
    const parsed = listedMessages.safeParse(answer);
    if (!parsed.success) throw new Error(`unexpected answer listing messages in ${channel}`);
    return parsed.data.messages.find(
      (m) =>
        m.metadata?.event_type === MESSAGE_EVENT_TYPE &&
        m.metadata.event_payload.run_id === target.runId &&
        m.metadata.event_payload.key === target.key,
    )?.ts;
  }

  private stateKey(runId: string): string {
    return `${this.options.prefix}:slack:${runId}`;
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
