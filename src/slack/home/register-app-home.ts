import type { App, BlockOverflowAction } from '@slack/bolt';
import type { Catalog } from '../../config/catalog.js';
import { BotError, toBotError } from '../../errors.js';
import type { RunService } from '../../jobs/run-service.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../logging/metrics.js';
import { ACTION_BOARD } from '../actions/action-ids.js';
import type { WatchControls } from '../alerts/watch-controls.js';
import { requestRun } from '../commands/request-run.js';
import { parseBoardChoice } from './board-choice.js';

export interface AppHomeDeps {
  catalog: Catalog;
  runs: RunService;
  watch: WatchControls;
  metrics: Metrics;
  logger: Logger;
}

/**
 * The App Home tab: the board is published when someone opens it, and its per-pair menu checks,
 * plans or sets up the pair. A Home tab has no response_url, so answers go to the person's DM
 * with the bot; plan and setup post their status card in the pair's alert channel.
 */
export function registerAppHome(app: App, deps: AppHomeDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await deps.watch.board.opened(event.user);
  });
  app.action<BlockOverflowAction>(ACTION_BOARD, async ({ ack, action, body, client }) => {
    await ack();
    const userId = body.user.id;
    const dm = (text: string) => client.chat.postMessage({ channel: userId, text }).then(() => undefined);
    try {
      const { choice, app: appName, env } = parseBoardChoice(action.selected_option.value);
      const target = deps.catalog.get(appName, env);
      if (!target)
        throw new BotError({
          code: 'button_invalid',
          userMessage: `${appName} ${env} is no longer configured.`,
        });
      const channel = target.alerts?.channel ?? userId;
      if (choice === 'check') {
        await deps.watch.requestCheck(target, channel, userId);
        await dm(`Checking ${target.app} ${target.env} now; the result will be posted in <#${channel}>.`);
      } else if (!target.alerts?.channel) {
        // A run's card is edited in place, which needs a channel id; a DM opened by user id has none yet.
        await dm(
          `${target.app} ${target.env} has no alert channel; run \`/retirement ${choice} ${target.app} ${target.env}\` in a channel.`,
        );
      } else {
        const say = async (text?: string) => (text ? dm(text) : undefined);
        await requestRun(
          choice,
          target,
          { userId, channelId: channel, ack: say, respond: ({ text }) => say(text) },
          deps.runs,
        );
      }
      deps.metrics.interactions.inc({ action: `board_${choice}`, outcome: 'ok' });
    } catch (error) {
      const known = error instanceof BotError && error.code === 'button_invalid';
      deps.metrics.interactions.inc({ action: 'board', outcome: known ? 'refused' : 'error' });
      if (!known) deps.logger.error({ err: error }, 'board menu failed');
      await dm(
        known
          ? toBotError(error).userMessage
          : 'Sorry, that failed unexpectedly; the details are in the bot logs.',
      ).catch(() => undefined);
    }
  });
}
