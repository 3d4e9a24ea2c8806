import type { Catalog } from '../config/catalog.js';
import type { RunService } from '../jobs/run-service.js';
import type { RunStore } from '../jobs/run-store.js';
import { allPairsStatus, pairStatus, type StatusDeps } from '../jobs/status-report.js';
import { historyMessage } from './history-message.js';
import type { RunCommandHandlers } from './register-commands.js';
import { requestRun } from './run-request-handler.js';

export interface RunCommandDeps {
  catalog: Catalog;
  runs: RunService;
  store: RunStore;
  status: StatusDeps;
}

/** The subcommands that act on runs or read remote state. */
export function runCommandHandlers(deps: RunCommandDeps): RunCommandHandlers {
  return {
    setup: (command, context) => requestRun('setup', command.target, context, deps.runs),
    plan: (command, context) => requestRun('plan', command.target, context, deps.runs),
    history: async (command, context) => context.ack(await historyMessage(command.target, deps.store)),
    cancel: async (command, context) =>
      context.ack((await deps.runs.cancel(command.runId, context.userId)).message),
    status: async (command, context) => {
      // Concourse may take seconds to answer: acknowledge first, answer through response_url.
      await context.ack();
      const text = command.target
        ? await pairStatus(command.target, deps.status)
        : await allPairsStatus(deps.catalog.all(), deps.status);
      await context.respond({ text });
    },
  };
}
