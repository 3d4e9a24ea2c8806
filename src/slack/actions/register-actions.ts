import type { App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { BotError } from '../../errors.js';
import type { Decision } from '../../jobs/approval-decision.js';
import type { RunService } from '../../jobs/run-service.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../logging/metrics.js';
import { ACTION_APPROVE, ACTION_CANCEL, ACTION_REJECT, ACTION_RETRY } from './action-ids.js';
import { parseApprovalButton, parseRunButton } from './button-value.js';

export interface ActionDeps {
  runs: RunService;
  metrics: Metrics;
  logger: Logger;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * The buttons on status cards and approval messages. Each acks at once; the answer to the clicker
 * is ephemeral, and the shared messages are edited by the run service.
 */
export function registerActions(app: App, deps: ActionDeps): void {
  const onDecision = (decision: Decision) => async (args: ButtonArgs) =>
    handle(args, deps, decision, async (value, userId, messageTs) => {
      const { runId, phase } = parseApprovalButton(value);
      const outcome = await deps.runs.decide({ runId, phase, decision, userId, messageTs });
      return outcome.kind === 'decided'
        ? `You ${decision} the ${phase} phase of run \`${runId}\`.`
        : outcome.message;
    });
  app.action<BlockButtonAction>(ACTION_APPROVE, onDecision('approved'));
  app.action<BlockButtonAction>(ACTION_REJECT, onDecision('rejected'));
  app.action<BlockButtonAction>(ACTION_RETRY, (args) =>
    handle(
      args,
      deps,
      'retry',
      async (value, userId) => (await deps.runs.retry(parseRunButton(value), userId)).message,
    ),
  );
  app.action<BlockButtonAction>(ACTION_CANCEL, (args) =>
    handle(
      args,
      deps,
      'cancel',
      async (value, userId) => (await deps.runs.cancel(parseRunButton(value), userId)).message,
    ),
  );
}

async function handle(
  { ack, body, action, respond }: ButtonArgs,
  deps: ActionDeps,
  label: string,
  act: (value: string | undefined, userId: string, messageTs: string | undefined) => Promise<string>,
): Promise<void> {
  await ack();
  try {
    const text = await act(action.value, body.user.id, body.container?.message_ts ?? body.message?.ts);
    deps.metrics.interactions.inc({ action: label, outcome: 'ok' });
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  } catch (error) {
    const known = error instanceof BotError && error.code === 'button_invalid';
    deps.metrics.interactions.inc({ action: label, outcome: known ? 'refused' : 'error' });
    if (!known) deps.logger.error({ err: error, action: label }, 'button handler failed');
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: known
        ? error.userMessage
        : 'Sorry, that failed unexpectedly; nothing was changed that the run does not show.',
    }).catch(() => undefined);
  }
}
