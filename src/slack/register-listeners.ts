import type { App } from '@slack/bolt';
import type { Catalog } from '../config/catalog.js';
import type { AuditLog } from '../jobs/audit-log.js';
import type { PairStatusDeps } from '../jobs/pair-status.js';
import type { RunService } from '../jobs/run-service.js';
import type { RunStore } from '../jobs/run-store.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../logging/metrics.js';
import { registerActions } from './actions/register-actions.js';
import { registerAlertActions } from './alerts/register-alert-actions.js';
import type { WatchControls } from './alerts/watch-controls.js';
import { registerSlashCommand } from './commands/register-slash-command.js';
import { runSubcommands } from './commands/run-subcommands.js';
import { registerAppHome } from './home/register-app-home.js';
import { registerMention } from './mentions/register-mention.js';
import { actOnce } from './request-dedupe.js';

export interface ListenerDeps {
  catalog: Catalog;
  runs: RunService;
  store: RunStore;
  status: PairStatusDeps;
  audit: AuditLog;
  metrics: Metrics;
  logger: Logger;
  watch: WatchControls;
  /** True the first time a request id is seen (within Slack's signature window and a margin). */
  firstDelivery(requestId: string): Promise<boolean>;
}

/** Everything the bot answers in Slack, registered in one place: `/retirement`, buttons, mentions. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const { catalog, runs, store, status, audit, metrics, logger, watch } = deps;
  app.use(actOnce(deps.firstDelivery));
  registerSlashCommand(app, {
    catalog,
    logger,
    metrics,
    handlers: runSubcommands({ catalog, runs, store, status, watch, audit }),
  });
  registerActions(app, { runs, metrics, logger });
  registerMention(app, { catalog, status, logger });
  registerAlertActions(app, { catalog, runs, watch, metrics, logger });
  registerAppHome(app, { catalog, runs, watch, metrics, logger });
}
