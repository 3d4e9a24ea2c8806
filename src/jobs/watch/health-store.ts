import type { Redis } from 'ioredis';
import { BotError } from '../../errors.js';
import { type HealthRecord, healthRecordSchema } from './pair-health.js';

/** Writes the record only if the stored one still has the revision the writer read (or is absent). */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
local expected = tonumber(ARGV[1])
if current then
  if cjson.decode(current).revision ~= expected then return 0 end
elseif expected ~= 0 then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

/** How many times a change is recomputed when another writer got there first. */
const MAX_CONFLICTS = 5;

/**
 * Each pair's health as JSON in Redis, parsed with zod on every read. Scheduled checks, `check`
 * commands and Silence clicks may race; `update` recomputes on a conflict, so exactly one writer
 * makes each change (and so posts it).
 */
export class HealthStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(app: string, env: string): Promise<HealthRecord | undefined> {
    const json = await this.redis.get(this.key(app, env));
    return json === null ? undefined : parse(json, `${app} ${env}`);
  }

  async getMany(pairs: readonly { app: string; env: string }[]): Promise<(HealthRecord | undefined)[]> {
    if (pairs.length === 0) return [];
    const values = await this.redis.mget(...pairs.map((pair) => this.key(pair.app, pair.env)));
    return values.map((json, index) =>
      json === null ? undefined : parse(json, `${pairs[index]?.app} ${pairs[index]?.env}`),
    );
  }

  /**
   * Applies `change` to the current record (undefined: none yet) and stores its result; returns
   * what was stored and what it replaced. `change` returning undefined leaves the record alone.
   */
  async update(
    app: string,
    env: string,
    change: (current: HealthRecord | undefined) => Omit<HealthRecord, 'revision'> | undefined,
  ): Promise<{ before: HealthRecord | undefined; after: HealthRecord | undefined }> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const before = await this.get(app, env);
      const next = change(before);
      if (!next) return { before, after: before };
      const after: HealthRecord = { ...next, revision: (before?.revision ?? 0) + 1 };
      const written = await this.redis.eval(
        COMPARE_AND_SET,
        1,
        this.key(app, env),
        String(before?.revision ?? 0),
        JSON.stringify(after),
      );
      if (written === 1) return { before, after };
    }
    throw new BotError({
      code: 'health_write_conflict',
      userMessage: `The health of ${app} ${env} kept changing under the bot; try again.`,
      retryable: true,
    });
  }

  private key(app: string, env: string): string {
    return `${this.prefix}:health:${app}/${env}`;
  }
}

function parse(json: string, pair: string): HealthRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    value = undefined;
  }
  const parsed = healthRecordSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new BotError({
    code: 'health_record_invalid',
    userMessage: `The stored health of ${pair} cannot be read.`,
    detail: parsed.error.issues[0]?.path.join('.') || 'not JSON',
  });
}
