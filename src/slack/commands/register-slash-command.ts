import type { App } from '@slack/bolt';
import type { Catalog } from '../../config/catalog.js';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../logging/metrics.js';
import { helpMessage } from './help-message.js';
import { listMessage } from './list-message.js';
import { type ParsedCommand, parseCommand } from './parse-command.js';
import type { SlashContext } from './slash-context.js';

export type SubcommandHandler<K extends ParsedCommand['kind']> = (
  command: Extract<ParsedCommand, { kind: K }>,
  context: SlashContext,
) => Promise<void>;

/** Handlers for the subcommands that act (the rest are answered from the catalog alone). */
export interface RunSubcommands {
  setup: SubcommandHandler<'setup'>;
  rotate: SubcommandHandler<'rotate'>;
  plan: SubcommandHandler<'plan'>;
  check: SubcommandHandler<'check'>;
  status: SubcommandHandler<'status'>;
  history: SubcommandHandler<'history'>;
  cancel: SubcommandHandler<'cancel'>;
  audit: SubcommandHandler<'audit'>;
}

export interface CommandDeps {
  catalog: Catalog;
  logger: Logger;
  metrics: Metrics;
  handlers: RunSubcommands;
}

/** The single place that binds `/retirement` to its handlers. */
export function registerSlashCommand(app: App, deps: CommandDeps): void {
  app.command('/retirement', async ({ command, ack, respond }) => {
    const parsed = parseCommand(command.text ?? '', deps.catalog);
    let acked = false;
    const context: SlashContext = {
      userId: command.user_id,
      channelId: command.channel_id,
      ack: async (text) => {
        acked = true;
        await ack(text === undefined ? undefined : { response_type: 'ephemeral', text });
      },
      respond: async (message) => {
        await respond({ response_type: 'ephemeral', ...message });
      },
    };
    try {
      await dispatch(parsed, context, deps);
      deps.metrics.commands.inc({ subcommand: parsed.kind, outcome: 'ok' });
    } catch (error) {
      deps.metrics.commands.inc({ subcommand: parsed.kind, outcome: 'error' });
      deps.logger.error({ err: error, subcommand: parsed.kind }, 'slash command failed');
      const text = 'Sorry, that failed unexpectedly; the details are in the bot logs.';
      await (acked ? context.respond({ text }) : context.ack(text)).catch(() => undefined);
    }
  });
}

async function dispatch(parsed: ParsedCommand, context: SlashContext, deps: CommandDeps): Promise<void> {
  switch (parsed.kind) {
    case 'help':
      return context.ack(helpMessage(deps.catalog));
    case 'list':
      return context.ack(listMessage(deps.catalog));
    case 'invalid':
      return context.ack(parsed.message);
    case 'setup':
      return deps.handlers.setup(parsed, context);
    case 'rotate':
      return deps.handlers.rotate(parsed, context);
    case 'plan':
      return deps.handlers.plan(parsed, context);
    case 'check':
      return deps.handlers.check(parsed, context);
    case 'status':
      return deps.handlers.status(parsed, context);
    case 'history':
      return deps.handlers.history(parsed, context);
    case 'cancel':
      return deps.handlers.cancel(parsed, context);
    case 'audit':
      return deps.handlers.audit(parsed, context);
  }
}
