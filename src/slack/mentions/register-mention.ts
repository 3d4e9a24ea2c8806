import type { App } from '@slack/bolt';
import type { Catalog } from '../../config/catalog.js';
import { type PairStatusDeps, readAllPairStatuses, readPairStatus } from '../../jobs/pair-status.js';
import type { Logger } from '../../logging/logger.js';
import { allPairsStatusMessage, pairStatusMessage } from '../commands/status-message.js';
import { parseMention } from './parse-mention.js';

export interface MentionDeps {
  catalog: Catalog;
  status: PairStatusDeps;
  logger: Logger;
}

/** Answers `@retirement-bot status …` in the mention's thread. */
export function registerMention(app: App, deps: MentionDeps): void {
  app.event('app_mention', async ({ event, client }) => {
    const request = parseMention(event.text, deps.catalog);
    const text =
      request.kind === 'help'
        ? 'Ask me `status` (optionally with an app and environment, e.g. `status of mitxonline production`), or use `/retirement help`.'
        : request.kind === 'invalid'
          ? request.message
          : request.target
            ? pairStatusMessage(await readPairStatus(request.target, deps.status))
            : allPairsStatusMessage(await readAllPairStatuses(deps.catalog.all(), deps.status));
    await client.chat.postMessage({ channel: event.channel, thread_ts: event.thread_ts ?? event.ts, text });
  });
}
