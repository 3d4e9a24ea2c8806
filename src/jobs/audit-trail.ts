import { z } from 'zod';
import type { AuditLog } from './audit-log.js';

/**
 * A run's audit trail as people read it: one line per entry of the audit stream (requests,
 * approvals asked and decided, step outcomes, cancels, retries, the end), oldest first. The
 * stream is data from Redis, so each entry is parsed; an entry of an unknown kind is shown as such.
 */
export interface AuditTrailLine {
  at: string;
  /** Who acted (a Slack user id, or `cli:<name>`), when someone did. */
  who?: string;
  what: string;
}

const entrySchema = z.object({
  type: z.string(),
  at: z.string(),
  user: z.string().optional(),
  kind: z.string().optional(),
  app: z.string().optional(),
  env: z.string().optional(),
  attempt: z.string().optional(),
  phase: z.string().optional(),
  decision: z.string().optional(),
  step: z.string().optional(),
  outcome: z.string().optional(),
  summary: z.string().optional(),
  code: z.string().optional(),
  status: z.string().optional(),
});

type Entry = z.infer<typeof entrySchema>;

export async function readAuditTrail(audit: AuditLog, runId: string): Promise<AuditTrailLine[]> {
  return (await audit.entries(runId)).map((raw) => {
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) return { at: raw.at ?? '?', what: `an entry the bot cannot read (${raw.id})` };
    return {
      at: parsed.data.at,
      ...(parsed.data.user ? { who: parsed.data.user } : {}),
      what: describe(parsed.data),
    };
  });
}

function describe(entry: Entry): string {
  switch (entry.type) {
    case 'run_requested':
      return `requested ${entry.kind} of ${entry.app} ${entry.env}`;
    case 'run_retried':
      return `retried (attempt ${entry.attempt})`;
    case 'approval_requested':
      return `approval of the ${entry.phase} phase asked (attempt ${entry.attempt})`;
    case 'approval_decided':
      return `${entry.decision} the ${entry.phase} phase`;
    case 'step_finished':
      return entry.outcome === 'failed'
        ? `step ${entry.step} failed (${entry.code})`
        : `step ${entry.step} ${entry.outcome}${entry.summary ? `: ${entry.summary}` : ''}`;
    case 'cancel_requested':
      return 'asked to cancel';
    case 'run_finished':
      return `run ended ${entry.status}${entry.step ? ` at ${entry.step}` : ''}${entry.code ? ` (${entry.code})` : ''}`;
    default:
      return entry.type;
  }
}
