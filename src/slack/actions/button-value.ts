import { z } from 'zod';
import { BotError } from '../../errors.js';
import { RUN_ID_PATTERN } from '../../jobs/run-id.js';
import { type ApprovalPhase, approvalPhaseSchema } from '../../jobs/run-record.js';

/** A button's `value` carries only an opaque run id (and the phase, for approvals), never state. */
const runIdSchema = z.string().regex(RUN_ID_PATTERN);
const approvalValueSchema = z
  .string()
  .transform((value) => value.split(':'))
  .pipe(z.tuple([runIdSchema, approvalPhaseSchema]));

export function runButtonValue(runId: string): string {
  return runId;
}

export function approvalButtonValue(runId: string, phase: ApprovalPhase): string {
  return `${runId}:${phase}`;
}

export function parseRunButton(value: string | undefined): string {
  const parsed = runIdSchema.safeParse(value);
  if (!parsed.success) throw invalidButton();
  return parsed.data;
}

export function parseApprovalButton(value: string | undefined): { runId: string; phase: ApprovalPhase } {
  const parsed = approvalValueSchema.safeParse(value);
  if (!parsed.success) throw invalidButton();
  const [runId, phase] = parsed.data;
  return { runId, phase };
}

function invalidButton(): BotError {
  return new BotError({ code: 'button_invalid', userMessage: 'This button is not valid any more.' });
}
