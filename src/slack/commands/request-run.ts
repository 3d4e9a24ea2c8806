import type { Target } from '../../config/catalog.js';
import type { RunKind } from '../../jobs/run-record.js';
import type { RunService } from '../../jobs/run-service.js';
import { RunConflictError } from '../../jobs/run-store.js';
import { approverMentions } from '../approver-mentions.js';
import type { SlashContext } from './slash-context.js';

/**
 * `setup` and `plan`: store the run (setup takes the pair's lock), answer with its id inside the
 * 3-second window, then post the status card and queue the job.
 */
export async function requestRun(
  kind: RunKind,
  target: Target,
  context: SlashContext,
  runs: RunService,
  options: { breakGlass?: boolean } = {},
): Promise<void> {
  let run: Awaited<ReturnType<RunService['request']>>;
  try {
    run = await runs.request(kind, target, context.userId, context.channelId, options);
  } catch (error) {
    if (!(error instanceof RunConflictError)) throw error;
    return context.ack(
      `${target.app} ${target.env} already has run \`${error.holderRunId}\` in progress, so nothing was queued. ` +
        `Follow it in its thread, or stop it with \`/retirement cancel ${error.holderRunId}\`.`,
    );
  }
  const approval =
    kind !== 'plan' && target.approval.required
      ? ` Each production phase waits for approval by ${approverMentions(target)}.`
      : '';
  const what = options.breakGlass
    ? 'Break-glass setup'
    : { setup: 'Setup', plan: 'Plan (read-only)', rotate: 'Secret rotation' }[kind];
  await context.ack(
    `${what} of ${target.app} ${target.env} queued as run \`${run.id}\`. Progress is in the thread of its status card.${approval}`,
  );
  const launched = await runs.launch(run);
  if (!launched.ok) await context.respond({ text: `Run \`${run.id}\` did not start: ${launched.message}` });
}
