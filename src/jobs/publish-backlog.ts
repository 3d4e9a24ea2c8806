import type { Redis } from 'ioredis';

/** A run whose latest change Slack does not show yet. */
export interface PendingPublication {
  runId: string;
  /** The revision the run reached when it was last marked. */
  revision: number;
  /** When Slack first fell behind this run (for the queue-lag metric). */
  since: number;
}

/** Keeps the highest revision asked for, and when the run first fell behind. */
const MARK_SCRIPT = `
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
`;

/**
 * How long the revision Slack shows is kept per run: past the reconciler's look back at finished
 * runs (RECENTLY_FINISHED_MS), after which nobody asks, so the keys do not pile up.
 */
export const SHOWN_TTL_MS = 2 * 24 * 3600 * 1000;

/** Removes the run from the backlog only if no later revision was marked meanwhile. */
const PUBLISHED_SCRIPT = `
local shown = tonumber(redis.call('GET', KEYS[3]) or '-1')
if tonumber(ARGV[2]) > shown then redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3]) end
local wanted = redis.call('ZSCORE', KEYS[1], ARGV[1])
if wanted and tonumber(wanted) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
return 0
`;

/**
 * The runs whose Slack messages lag behind their record, kept in Redis so a publisher that
 * restarts (or another worker process) picks up where the last one stopped: the run journal marks
 * a run here after each change it records; the publisher removes it once Slack shows that revision.
 */
export class PublishBacklog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async mark(runId: string, revision: number, now = Date.now()): Promise<void> {
    await this.redis.eval(
      MARK_SCRIPT,
      2,
      this.pendingKey,
      this.sinceKey,
      runId,
      String(revision),
      String(now),
    );
  }

  /** Oldest first. */
  async pending(): Promise<PendingPublication[]> {
    const [revisions, since] = await Promise.all([
      this.redis.zrange(this.pendingKey, '0', '-1', 'WITHSCORES'),
      this.redis.zrange(this.sinceKey, '0', '-1', 'WITHSCORES'),
    ]);
    const revisionOf = new Map<string, number>();
    for (let i = 0; i < revisions.length; i += 2) {
      revisionOf.set(revisions[i] as string, Number(revisions[i + 1]));
    }
    const pending: PendingPublication[] = [];
    for (let i = 0; i < since.length; i += 2) {
      const runId = since[i] as string;
      const revision = revisionOf.get(runId);
      if (revision !== undefined) pending.push({ runId, revision, since: Number(since[i + 1]) });
    }
    return pending;
  }

  /** Slack shows `revision` of the run; it leaves the backlog unless a later change is waiting. */
  async published(runId: string, revision: number): Promise<void> {
    await this.redis.eval(
      PUBLISHED_SCRIPT,
      3,
      this.pendingKey,
      this.sinceKey,
      this.shownKey(runId),
      runId,
      String(revision),
      String(SHOWN_TTL_MS),
    );
  }

  /** The revision of the run Slack shows, or -1 before anything was published (or long after). */
  async shownRevision(runId: string): Promise<number> {
    return Number((await this.redis.get(this.shownKey(runId))) ?? -1);
  }

  private get pendingKey(): string {
    return `${this.prefix}:publish:pending`;
  }

  private get sinceKey(): string {
    return `${this.prefix}:publish:since`;
  }

  /** One key per run, expiring: a hash of every run ever shown would only grow. */
  private shownKey(runId: string): string {
    return `${this.prefix}:publish:shown:${runId}`;
  }
}
