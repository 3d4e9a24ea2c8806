import type { Redis } from 'ioredis';
import { BotError } from '../errors.js';
import { AUDIENCE_UNREACHABLE } from '../jobs/ports.js';
import type { PendingPublication, PublishBacklog } from '../jobs/publish-backlog.js';
import type { RunRecord } from '../jobs/run-record.js';
import type { RunStore } from '../jobs/run-store.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../logging/metrics.js';
import { PublisherLease } from './publisher-lease.js';
import type { RenderedMessage } from './run-messages/block-text.js';
import { recordTs, tsOf } from './run-messages/message-ts.js';
import { CARD_KEY, cardMessage, type RunMessage, runThread } from './run-messages/run-thread.js';
import { slackPlatformError } from './slack-errors.js';
import type { SlackMessageWriter } from './slack-message-writer.js';
import { inTurn } from './slack-rate-gate.js';

export interface SlackRunPublisherOptions {
  store: RunStore;
  backlog: PublishBacklog;
  writer: SlackMessageWriter;
  /** Holds the publisher lease: one process publishes at a time, so Slack's per-workspace limits hold. */
  redis: Redis;
  prefix: string;
  logger: Logger;
  metrics: Metrics;
  describeApprovers(run: RunRecord): string;
  /** A message that only shows progress is written at most this often; settled ones at once. */
  progressIntervalMs: number;
  /** How often the backlog is looked at when nothing nudges the publisher. */
  pollMs?: number;
  leaseMs?: number;
}

/** A run whose messages Slack keeps refusing for good (not an outage) is given up after this many passes. */
const MAX_FAILED_PASSES = 8;

/** How soon a run whose write was not yet its turn is looked at again. */
const TURN_RETRY_MS = 1_000;

/**
 * How long a thread write may wait for its turn at Slack (the card's settled writes: the writer's
 * whole allowance). A write that may not wait long holds no slot far ahead, so the cards go first,
 * then approvals, then other settled posts; progress only while 1.2 s of the burst is left.
 */
const THREAD_WAIT_MS = { approval: 1_500, settled: 1_000, progress: -1_200 } as const;

/** Slack's own errors that say "try again later" rather than "this will never work". */
const TRANSIENT_SLACK_ERRORS = new Set([
  'fatal_error',
  'internal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * Brings Slack up to each run's record, apart from the runs themselves: it drains the publish
 * backlog, renders each run's messages from its latest record (so pending changes coalesce:
 * the latest state wins), writes only messages whose content changed, progress at most once per
 * interval, each call paced by the rate gate, the card ahead of its channel's thread messages. A run leaves the
 * backlog once Slack shows its latest revision; a run still waiting on its turn stays in it, so a
 * restart loses nothing.
 */
export class SlackRunPublisher {
  private readonly lease: PublisherLease;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly notBefore = new Map<string, number>();
  /** The revision each run had when its last pass began. */
  private readonly passedRevision = new Map<string, number>();
  private readonly failedPasses = new Map<string, number>();
  /** When each message last changed on Slack, or first waited for its turn. */
  private readonly lastWrite = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: SlackRunPublisherOptions) {
    this.lease = new PublisherLease(options.redis, `${options.prefix}:publisher`, options.leaseMs ?? 10_000);
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.nudge(), this.options.pollMs ?? 250);
    this.timer.unref();
    this.nudge();
  }

  /** Looks at the backlog now (the run journal calls it after each change in this process). */
  nudge(): void {
    if (this.stopped || this.ticking) return;
    this.ticking = this.tick()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'publishing run progress failed'))
      .finally(() => {
        this.ticking = undefined;
      });
  }

  /** Stops taking new work and lets the writes under way finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    await Promise.allSettled(this.inFlight.values());
    await this.lease.release().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    const pending = await this.options.backlog.pending();
    if (pending.length === 0 && this.inFlight.size === 0) {
      this.options.metrics.slackPublishLag.reset();
      return;
    }
    if (!(await this.lease.hold())) return;
    this.observeLag(pending);
    const now = Date.now();
    for (const publication of pending) {
      const { runId } = publication;
      // A run waiting for a progress interval is looked at again early when it changed meanwhile.
      const unchanged = publication.revision <= (this.passedRevision.get(runId) ?? -1);
      if (this.inFlight.has(runId) || (unchanged && (this.notBefore.get(runId) ?? 0) > now)) continue;
      this.passedRevision.set(runId, publication.revision);
      const pass = this.publishRun(publication).finally(() => this.inFlight.delete(runId));
      this.inFlight.set(runId, pass);
    }
  }

  private observeLag(pending: PendingPublication[]): void {
    const { metrics } = this.options;
    const oldest = new Map<string, number>();
    for (const p of pending) {
      const channel = this.channels.get(p.runId) ?? 'unknown';
      oldest.set(channel, Math.min(oldest.get(channel) ?? p.since, p.since));
    }
    metrics.slackPublishLag.reset();
    for (const [channel, since] of oldest) {
      metrics.slackPublishLag.set({ channel }, Math.max(0, (Date.now() - since) / 1000));
    }
  }

  /** The channel of each run in the backlog, for the lag metric. */
  private readonly channels = new Map<string, string>();
  private async publishRun(publication: PendingPublication): Promise<void> {
    const { runId } = publication;
    try {
      const run = await this.options.store.get(runId);
      if (!run?.channel) {
        await this.options.backlog.published(runId, publication.revision);
        return;
      }
      this.channels.set(runId, run.channel);
      const retryAt = await this.publishMessages(run, run.channel);
      this.failedPasses.delete(runId);
      if (retryAt === undefined) {
        // The revision read before writing: a change recorded meanwhile keeps the run in the backlog.
        await this.options.backlog.published(runId, run.revision ?? 0);
        this.notBefore.delete(runId);
        this.channels.delete(runId);
        this.forget(runId);
      } else {
        this.notBefore.set(runId, retryAt);
      }
    } catch (error) {
      await this.failed(publication, error);
    }
  }

  /** A failed pass is tried again later; a run Slack keeps refusing (not rate limits) is given up. */
  private async failed(publication: PendingPublication, error: unknown): Promise<void> {
    const { runId } = publication;
    if (error instanceof BotError && error.code === 'slack_rate_limited') {
      // Not its turn yet: the pass ends rather than holding the run, so a newer revision (the
      // result on the card) is not stuck behind a queued post.
      this.notBefore.set(runId, Date.now() + TURN_RETRY_MS);
      return;
    }
    const passes = (this.failedPasses.get(runId) ?? 0) + 1;
    this.failedPasses.set(runId, passes);
    const unreachable = error instanceof BotError && error.code === AUDIENCE_UNREACHABLE;
    // Only an answer that will not change (invalid_blocks…) is given up on; an outage, a 5xx or a
    // rate limit is waited out, however long, so the final state is never dropped.
    const refused = slackPlatformError(error);
    const permanent = refused !== undefined && !TRANSIENT_SLACK_ERRORS.has(refused);
    if (unreachable || (permanent && passes >= MAX_FAILED_PASSES)) {
      this.options.logger.error({ err: error, runId }, 'giving up showing this run in Slack');
      await this.options.backlog.published(runId, publication.revision).catch(() => undefined);
      this.failedPasses.delete(runId);
      this.forget(runId);
      return;
    }
    this.options.logger.warn({ err: error, runId }, 'showing run progress in Slack failed; trying again');
    this.notBefore.set(runId, Date.now() + Math.min(30_000, 500 * 2 ** passes));
  }

  /**
   * Writes what differs between the run's messages and what Slack shows, in thread order; returns
   * when to look again if a progress message is waiting for its interval, or undefined when done.
   */
  private async publishMessages(initial: RunRecord, channel: string): Promise<number | undefined> {
    const { store, writer } = this.options;
    let run = initial;
    const latest = (key: string) => async (): Promise<RenderedMessage> => {
      const now = (await store.get(run.id)) ?? run;
      return (
        this.messagesOf(now).find((m) => m.key === key) ?? this.messagesOf(run).find((m) => m.key === key)
      )?.message as RenderedMessage;
    };
    if (!run.cardTs) {
      const posted = await writer.post({ runId: run.id, key: CARD_KEY, channel }, latest(CARD_KEY));
      run = await store.mutate(run.id, (r) => (r.cardTs ? undefined : { ...r, cardTs: posted.ts }));
      await writer.posted(run.id, CARD_KEY, posted.fingerprint);
      this.wrote(run.id, CARD_KEY);
    }
    const cardTs = run.cardTs as string;
    const shown = await writer.shown(run.id);
    // A result or a wait shows on the card first: edits have their own budget, while the thread's
    // posts queue behind the channel's.
    const settledCard = cardMessage(run);
    if (settledCard.settled && shown.get(CARD_KEY) !== writer.fingerprint(settledCard.message)) {
      await writer.update(run.id, CARD_KEY, { channel, ts: cardTs }, latest(CARD_KEY));
      shown.set(CARD_KEY, writer.fingerprint(settledCard.message));
      this.wrote(run.id, CARD_KEY);
    }
    let retryAt: number | undefined;
    const lookAgainAt = (at: number) => {
      retryAt = Math.min(retryAt ?? at, at);
    };
    const thread = runThread(run, this.options.describeApprovers(run));
    for (const [index, message] of thread.entries()) {
      const ts = tsOf(run, message);
      if (ts && shown.get(message.key) === writer.fingerprint(message.message)) continue;
      const due = message.settled ? Date.now() : this.dueAt(run.id, message.key);
      if (!ts) {
        // Messages appear in thread order: a later settled one (an approval) brings earlier ones out.
        const later = thread.slice(index + 1).some((m) => m.settled && !tsOf(run, m));
        if (due > Date.now() && !later) {
          lookAgainAt(due);
          break;
        }
        const target = { runId: run.id, key: message.key, channel, threadTs: cardTs };
        const wait = message.approval || later ? THREAD_WAIT_MS.approval : THREAD_WAIT_MS.settled;
        const posted = await inTurn(() =>
          writer.post({ ...target, broadcast: message.broadcast }, latest(message.key), wait),
        );
        if (!posted) {
          lookAgainAt(Date.now() + TURN_RETRY_MS);
          break;
        }
        run = await store.mutate(run.id, (r) => recordTs(r, message, posted.value.ts));
        await writer.posted(run.id, message.key, posted.value.fingerprint);
      } else if (due > Date.now()) {
        lookAgainAt(due);
        continue;
      } else {
        // Edits share the workspace's budget with the cards: only an approval's may queue for it.
        const wait = message.approval ? THREAD_WAIT_MS.approval : THREAD_WAIT_MS.progress;
        if (
          !(await inTurn(() =>
            writer.update(run.id, message.key, { channel, ts }, latest(message.key), wait),
          ))
        ) {
          lookAgainAt(Date.now() + TURN_RETRY_MS);
          continue;
        }
      }
      this.wrote(run.id, message.key);
    }
    const card = cardMessage(run);
    if (shown.get(CARD_KEY) !== writer.fingerprint(card.message)) {
      const due = card.settled ? Date.now() : this.dueAt(run.id, CARD_KEY);
      const wait = card.settled ? undefined : THREAD_WAIT_MS.progress;
      const at = { channel, ts: cardTs };
      if (due > Date.now()) lookAgainAt(due);
      else if (!(await inTurn(() => writer.update(run.id, CARD_KEY, at, latest(CARD_KEY), wait))))
        lookAgainAt(Date.now() + TURN_RETRY_MS);
      else this.wrote(run.id, CARD_KEY);
    }
    return retryAt;
  }

  private messagesOf(run: RunRecord): RunMessage[] {
    return [cardMessage(run), ...runThread(run, this.options.describeApprovers(run))];
  }

  /** When a progress message may be written: an interval after its last write, or after it began waiting. */
  private dueAt(runId: string, key: string): number {
    const id = `${runId}/${key}`;
    if (!this.lastWrite.has(id)) this.lastWrite.set(id, Date.now());
    return (this.lastWrite.get(id) as number) + this.options.progressIntervalMs;
  }

  private wrote(runId: string, key: string): void {
    this.lastWrite.set(`${runId}/${key}`, Date.now());
  }

  private forget(runId: string): void {
    this.passedRevision.delete(runId);
    for (const id of this.lastWrite.keys()) if (id.startsWith(`${runId}/`)) this.lastWrite.delete(id);
  }
}
