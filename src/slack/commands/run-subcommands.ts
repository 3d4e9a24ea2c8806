import type { Catalog } from '../../config/catalog.js';
import type { AuditLog } from '../../jobs/audit-log.js';
import { type PairStatusDeps, readAllPairStatuses, readPairStatus } from '../../jobs/pair-status.js';
import type { RunService } from '../../jobs/run-service.js';
import type { RunStore } from '../../jobs/run-store.js';
import type { WatchControls } from '../alerts/watch-controls.js';
import { auditMessage } from './audit-message.js';
import { historyMessage } from './history-message.js';
import type { RunSubcommands } from './register-slash-command.js';
import { requestRun } from './request-run.js';
import { allPairsStatusMessage, pairStatusMessage } from './status-message.js';

export interface RunSubcommandDeps {
  catalog: Catalog;
  runs: RunService;
  store: RunStore;
  status: PairStatusDeps;
  watch: Pick<WatchControls, 'requestCheck'>;
  audit: AuditLog;
}

/** The subcommands that act on runs or read remote state. */
export function runSubcommands(deps: RunSubcommandDeps): RunSubcommands {
  return {
    setup: (command, context) =>
      requestRun('setup', command.target, context, deps.runs, { breakGlass: command.breakGlass === true }),
    plan: (command, context) => requestRun('plan', command.target, context, deps.runs),
    rotate: (command, context) => requestRun('rotate', command.target, context, deps.runs),
    check: async (command, context) => {
      const { app, env } = command.target;
      await deps.watch.requestCheck(command.target, context.channelId, context.userId);
      await context.ack(`Checking ${app} ${env} now (read-only); the result will be posted in this channel.`);
    },
    audit: async (command, context) => context.ack(await auditMessage(command.runId, deps.audit)),
    history: async (command, context) => context.ack(await historyMessage(command.target, deps.store)),
    cancel: async (command, context) => {
      // Cancelling may look up approver groups and edit the run's messages: acknowledge first.
      await context.ack();
      await context.respond({ text: (await deps.runs.cancel(command.runId, context.userId)).message });
    },
    status: async (command, context) => {
      // Concourse may take seconds to answer: acknowledge first, answer through response_url.
      await context.ack();
      const text = command.target
        ? pairStatusMessage(await readPairStatus(command.target, deps.status))
        : allPairsStatusMessage(await readAllPairStatuses(deps.catalog.all(), deps.status));
      await context.respond({ text });
    },
  };
}
