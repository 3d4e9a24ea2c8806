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

/**
 * The append-only trail of who asked for what and what happened, in a Redis stream. It is never
 * trimmed by the bot; export it with XRANGE. Entries hold ids, names and outcomes, never secrets.
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
    return (await this.redis.xadd(this.key, '*', ...fields)) as string;
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
