import type { Redis } from 'ioredis';
import { changesThings, isFinal, pairKey, parseRunRecord, type RunRecord } from './run-record.js';

/** Finished runs stay readable for `history` this long; the audit stream keeps the permanent record. */
const FINISHED_RUN_TTL_SECONDS = 90 * 24 * 3600;
const HISTORY_PER_PAIR = 100;
const HISTORY_ALL = 500;

/** Creates the run and takes the pair's lock in one step, or reports who holds the lock. */
const CREATE_SCRIPT = `
if ARGV[3] == '1' then
  local holder = redis.call('GET', KEYS[1])
  if holder then return holder end
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('LPUSH', KEYS[3], ARGV[1])
redis.call('LTRIM', KEYS[3], 0, ${HISTORY_PER_PAIR - 1})
redis.call('LPUSH', KEYS[4], ARGV[1])
redis.call('LTRIM', KEYS[4], 0, ${HISTORY_ALL - 1})
return false
`;

const TAKE_LOCK_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return holder end
redis.call('SET', KEYS[1], ARGV[1])
return false
`;

const RELEASE_LOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export type RunChange = (run: RunRecord) => RunRecord | undefined;

export interface AppliedChange {
  run: RunRecord;
  before: RunRecord;
  changed: boolean;
}

export class RunConflictError extends Error {
  constructor(readonly holderRunId: string) {
    super(`run ${holderRunId} holds the lock`);
  }
}

/**
 * Runs live in Redis as JSON documents. Writers (the worker, button clicks, cancel) race, so every
 * change is a read-modify-write under WATCH that retries on conflict.
 */
export class RunStore {
  /** WATCH is per connection, so this process's read-modify-writes take turns on it. */
  private mutations: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Stores a new run; setup runs also take the (app, env) lock, failing with RunConflictError. */
  async create(run: RunRecord): Promise<void> {
    const holder = (await this.redis.eval(
      CREATE_SCRIPT,
      4,
      this.lockKey(run.app, run.env),
      this.runKey(run.id),
      this.historyKey(run.app, run.env),
      this.historyKey(),
      run.id,
      JSON.stringify(run),
      changesThings(run.kind) ? '1' : '0',
    )) as string | null;
    if (holder) throw new RunConflictError(holder);
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const json = await this.redis.get(this.runKey(runId));
    return json ? parseRunRecord(json, this.runKey(runId)) : undefined;
  }

  /**
   * Applies `change` atomically. `change` receives the current record and returns the new one, or
   * undefined to leave it as it is; it may run more than once, so it must be pure.
   */
  async mutate(runId: string, change: RunChange): Promise<RunRecord> {
    return (await this.apply(runId, change)).run;
  }

  /** Like `mutate`, and also says whether the change applied, with the record it applied to. */
  apply(runId: string, change: RunChange): Promise<AppliedChange> {
    const result = this.mutations.then(() => this.applyNow(runId, change));
    this.mutations = result.catch(() => undefined);
    return result;
  }

  private async applyNow(runId: string, change: RunChange): Promise<AppliedChange> {
    const key = this.runKey(runId);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await this.redis.watch(key);
      const json = await this.redis.get(key);
      if (!json) {
        await this.redis.unwatch();
        throw new Error(`run ${runId} does not exist`);
      }
      const current = parseRunRecord(json, key);
      const next = change(current);
      if (!next) {
        await this.redis.unwatch();
        return { run: current, before: current, changed: false };
      }
      const updated = { ...next, updatedAt: Date.now() };
      const transaction = this.redis.multi().set(key, JSON.stringify(updated));
      if (isFinal(updated.status)) {
        // Ending the run and freeing its pair are one fact: no crash can separate them.
        transaction.expire(key, FINISHED_RUN_TTL_SECONDS);
        transaction.eval(RELEASE_LOCK_SCRIPT, 1, this.lockKey(updated.app, updated.env), updated.id);
      }
      const result = await transaction.exec();
      if (result !== null) return { run: updated, before: current, changed: true };
    }
    throw new Error(`run ${runId} kept changing under concurrent updates`);
  }

  /** For a Retry: the pair must be free, or still held by this run. */
  async retakeLock(run: RunRecord): Promise<void> {
    const holder = (await this.redis.eval(TAKE_LOCK_SCRIPT, 1, this.lockKey(run.app, run.env), run.id)) as
      | string
      | null;
    if (holder) throw new RunConflictError(holder);
  }

  async releaseLock(run: RunRecord): Promise<void> {
    await this.redis.eval(RELEASE_LOCK_SCRIPT, 1, this.lockKey(run.app, run.env), run.id);
  }

  /** Every held pair lock and the run it names, for the reconciler. */
  async locks(): Promise<{ app: string; env: string; runId: string }[]> {
    const prefix = `${this.prefix}:lock:`;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 200);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const holders = await this.redis.mget(keys);
    return keys.flatMap((key, index) => {
      const runId = holders[index];
      const [app, env] = key.slice(prefix.length).split(':');
      return runId && app && env ? [{ app, env, runId }] : [];
    });
  }

  /** Frees a pair whose lock names a run that no longer exists. */
  async releaseLockOf(app: string, env: string, runId: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK_SCRIPT, 1, this.lockKey(app, env), runId);
  }

  /** A terminal run proves its process is alive by renewing this lease; a killed one lets it lapse. */
  async holdLease(runId: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.leaseKey(runId), '1', 'PX', ttlMs);
  }

  async hasLease(runId: string): Promise<boolean> {
    return (await this.redis.exists(this.leaseKey(runId))) === 1;
  }

  async dropLease(runId: string): Promise<void> {
    await this.redis.del(this.leaseKey(runId));
  }

  async activeRunId(app: string, env: string): Promise<string | undefined> {
    return (await this.redis.get(this.lockKey(app, env))) ?? undefined;
  }

  /** Newest first. */
  async history(options: { app?: string; env?: string; limit: number }): Promise<RunRecord[]> {
    const key = options.app && options.env ? this.historyKey(options.app, options.env) : this.historyKey();
    const ids = await this.redis.lrange(key, 0, options.limit - 1);
    if (ids.length === 0) return [];
    const documents = await this.redis.mget(ids.map((id) => this.runKey(id)));
    // A record of another schema version is left out of listings; reading it by id says why.
    return documents.flatMap((json, index) => {
      if (json === null) return [];
      try {
        return [parseRunRecord(json, this.runKey(ids[index] as string))];
      } catch {
        return [];
      }
    });
  }

  private runKey(runId: string): string {
    return `${this.prefix}:run:${runId}`;
  }

  private leaseKey(runId: string): string {
    return `${this.prefix}:lease:${runId}`;
  }

  private lockKey(app: string, env: string): string {
    return `${this.prefix}:lock:${pairKey(app, env)}`;
  }

  private historyKey(app?: string, env?: string): string {
    return app && env ? `${this.prefix}:history:${pairKey(app, env)}` : `${this.prefix}:history`;
  }
}
