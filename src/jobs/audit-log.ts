import type { Redis } from 'ioredis';

export type AuditEventType =
  | 'run_requested'
  | 'run_retried'
  | 'approval_requested'
  | 'approval_decided'
  | 'step_finished'
  | 'run_finished'
  | 'cancel_requested';

export type AuditEvent = { type: AuditEventType; runId: string } & Record<
  string,
  string | number | undefined
>;

/** The trail keeps a little over a year: long enough to answer "who approved last year's setup". */
export const AUDIT_RETENTION_DAYS = 400;

/**
 * The append-only trail of who asked for what and what happened, in a Redis stream. Entries older
 * than the retention are trimmed as new ones arrive (XADD MINID; the trail grows by a few dozen
 * entries a run, so exact trimming is cheap); export it with XRANGE to keep it longer. Entries hold ids, names and outcomes, never secrets.
 */
export class AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async append(event: AuditEvent): Promise<string> {
    const fields = Object.entries({ ...event, at: new Date().toISOString() })
      .filter(([, value]) => value !== undefined)
      .flatMap(([field, value]) => [field, String(value)]);
    const oldest = Date.now() - AUDIT_RETENTION_DAYS * 24 * 3600_000;
    return (await this.redis.xadd(this.key, 'MINID', String(oldest), '*', ...fields)) as string;
  }

  async entries(runId?: string): Promise<Record<string, string>[]> {
    const raw = await this.redis.xrange(this.key, '-', '+');
    const entries = raw.map(([id, fields]) => {
      const entry: Record<string, string> = { id };
      for (let i = 0; i + 1 < fields.length; i += 2) entry[fields[i] as string] = fields[i + 1] as string;
      return entry;
    });
    return runId ? entries.filter((entry) => entry.runId === runId) : entries;
  }
}
