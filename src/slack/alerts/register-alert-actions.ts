import type { App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Catalog } from '../../config/catalog.js';
import { BotError } from '../../errors.js';
import type { RunService } from '../../jobs/run-service.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../logging/metrics.js';
import { ACTION_REPAIR, ACTION_SILENCE } from '../actions/action-ids.js';
import { requestRun } from '../commands/request-run.js';
import { slackDate } from '../slack-date.js';
import { parsePairButton, parseSilenceButton, SILENCE_CHOICES, SILENCE_MS } from './alert-button-value.js';
import type { WatchControls } from './watch-controls.js';

export interface AlertActionDeps {
  catalog: Catalog;
  runs: RunService;
  watch: WatchControls;
  metrics: Metrics;
  logger: Logger;
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * The buttons on health alerts. Repair is `/retirement setup` by another name: the same run, the
 * same lock, and production's approvals. Silence holds the pair's alerts back for the chosen time.
 */
export function registerAlertActions(app: App, deps: AlertActionDeps): void {
  app.action<BlockButtonAction>(ACTION_REPAIR, async (args) => {
    await args.ack();
    await answer(args, deps, 'repair', async (say) => {
      const target = configured(deps.catalog, parsePairButton(args.action.value));
      const channel = args.body.channel?.id ?? target.alerts?.channel;
      if (!channel)
        throw new BotError({ code: 'button_invalid', userMessage: 'This button is not valid any more.' });
      await requestRun(
        'setup',
        target,
        { userId: args.body.user.id, channelId: channel, ack: say, respond: ({ text }) => say(text) },
        deps.runs,
      );
    });
  });
  for (const choice of SILENCE_CHOICES) {
    app.action<BlockButtonAction>(`${ACTION_SILENCE}_${choice}`, async (args) => {
      await args.ack();
      await answer(args, deps, 'silence', async (say) => {
        const button = parseSilenceButton(args.action.value);
        const target = configured(deps.catalog, button);
        const outcome = await deps.watch.service.silence(
          target,
          SILENCE_MS[button.choice],
          args.body.user.id,
        );
        await say(
          outcome.ok
            ? `Alerts for ${target.app} ${target.env} are silenced until ${slackDate(outcome.until)}; the next check after that posts what changed.`
            : outcome.message,
        );
      });
    });
  }
}

function configured(catalog: Catalog, pair: { app: string; env: string }) {
  const target = catalog.get(pair.app, pair.env);
  if (!target) {
    throw new BotError({
      code: 'button_invalid',
      userMessage: `${pair.app} ${pair.env} is no longer configured.`,
    });
  }
  return target;
}

/** Runs the click and answers the clicker only (ephemeral), whatever happens. */
async function answer(
  { respond }: ButtonArgs,
  deps: AlertActionDeps,
  label: string,
  act: (say: (text?: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  const say = async (text?: string) => {
    if (text) await respond({ response_type: 'ephemeral', replace_original: false, text });
  };
  try {
    await act(say);
    deps.metrics.interactions.inc({ action: label, outcome: 'ok' });
  } catch (error) {
    const known = error instanceof BotError && error.code === 'button_invalid';
    deps.metrics.interactions.inc({ action: label, outcome: known ? 'refused' : 'error' });
    if (!known) deps.logger.error({ err: error, action: label }, 'alert button failed');
    await say(
      known ? error.userMessage : 'Sorry, that failed unexpectedly; the details are in the bot logs.',
    ).catch(() => undefined);
  }
}
