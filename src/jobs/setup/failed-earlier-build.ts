import type { StepContext } from '../step-definition.js';

const UNFINISHED_OR_OK = ['pending', 'started', 'succeeded'];

/**
 * A checkpointed build that ended badly in an earlier attempt is the failure a Retry is meant to
 * get past, so the retry starts a new build instead of following that one to the same end. Within
 * one attempt (a worker resuming after a crash) the step keeps following its own build.
 * Steps save `buildAttempt` beside `buildId` for this.
 */
export function failedInEarlierAttempt(context: StepContext, build: { status: string }): boolean {
  return !UNFINISHED_OR_OK.includes(build.status) && context.checkpoint.buildAttempt !== context.run.attempt;
}
