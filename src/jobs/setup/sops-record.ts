import type { SopsRecord, Target } from '../../config/catalog.js';
import { BotError } from '../../errors.js';
import type { PullRequestContext } from '../../integrations/github/secrets-of-record.js';
import { RunParked } from '../run-parked.js';
import type { RunRecord } from '../run-record.js';
import type { StepContext } from '../step-definition.js';
import { link, type Summary, type SummaryLink, summaryParts } from '../step-summary.js';
import type { SetupServices } from './setup-services.js';

/** The pair's sops record; the steps that use it are only in the plans of such pairs. */
export function sopsRecordOf(target: Target): SopsRecord {
  const record = target.credentials.record;
  if (record === 'vault') {
    throw new BotError({
      code: 'internal_error',
      userMessage: `${target.app} ${target.env} records its credentials in Vault, not through a pull request.`,
    });
  }
  return record;
}

/** The pull request the credentials (or rotation) step proposed in this run (0: none was needed). */
export function proposedPullNumber(run: RunRecord): number {
  const proposing = run.steps.find((s) => s.id === 'credentials' || s.id === 'rotate-secret');
  const number = proposing?.checkpoint?.pullNumber;
  return typeof number === 'number' ? number : 0;
}

export function pullRequestContext(run: RunRecord): PullRequestContext {
  const approval = run.approvals.findLast(
    (a) => a.phase === 'credentials' && a.attempt === run.attempt && a.status === 'approved',
  );
  return {
    app: run.app,
    env: run.env,
    runId: run.id,
    requestedBy: run.requestedBy,
    ...(approval?.decidedBy ? { approvedBy: approval.decidedBy } : {}),
    runLink: `retirement-bot run \`${run.id}\` (\`/retirement history ${run.app} ${run.env}\` in Slack)`,
  };
}

/** The pull request as a link part: a link in Slack, `pull request #N (url)` in a terminal. */
export function pullLink(pull: { html_url: string; number: number }): SummaryLink {
  return link(pull.html_url, `pull request #${pull.number}`);
}

/**
 * Parks the run until the next check, or ends it once it has waited `waitMs` since its first
 * check in this step (checkpointed, so a resumed or retried run keeps counting from there).
 */
export async function waitOrPark(
  context: StepContext,
  services: SetupServices,
  waiting: Summary,
  expired: BotError,
): Promise<never> {
  const now = Date.now();
  let since = context.checkpoint.waitingSince;
  if (typeof since !== 'number') {
    since = now;
    await context.saveCheckpoint({ waitingSince: since });
  }
  const deadline = since + services.recordTiming.waitMs;
  if (now >= deadline) throw expired;
  const until = Math.min(now + services.recordTiming.pollMs, deadline);
  throw new RunParked(until, [
    ...summaryParts(waiting),
    ` (the run waits until ${new Date(deadline).toISOString().slice(0, 16)} UTC).`,
  ]);
}
