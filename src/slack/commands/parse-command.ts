import type { Catalog, Target } from '../../config/catalog.js';
import { RUN_ID_PATTERN } from '../../jobs/run-id.js';
import { quoteInput } from '../mrkdwn.js';

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'setup'; target: Target; breakGlass?: boolean }
  | { kind: 'plan'; target: Target }
  | { kind: 'rotate'; target: Target }
  | { kind: 'check'; target: Target }
  | { kind: 'status'; target?: Target }
  | { kind: 'history'; target?: Target }
  | { kind: 'cancel'; runId: string }
  | { kind: 'audit'; runId: string }
  | { kind: 'invalid'; message: string };

export const SUBCOMMANDS = [
  'setup',
  'plan',
  'rotate',
  'check',
  'status',
  'cancel',
  'audit',
  'history',
  'list',
  'help',
] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** Argument placeholders, escaped: a raw `<app>` is a control sequence to Slack, not text. */
const ARG = { app: '&lt;app&gt;', env: '&lt;env&gt;', runId: '&lt;run-id&gt;' } as const;

/** Slack allows ~4 000 characters of command text; nothing valid comes close to this. */
const MAX_TEXT_LENGTH = 200;

/** Parses `/retirement …` text against the catalog. Pure: no I/O, so it can run before the ack. */
export function parseCommand(text: string, catalog: Catalog): ParsedCommand {
  if (text.length > MAX_TEXT_LENGTH) {
    return invalid(`That command is too long (${text.length} characters; at most ${MAX_TEXT_LENGTH}).`);
  }
  const [word, ...args] = text.trim().split(/\s+/).filter(Boolean);
  if (word === undefined) return { kind: 'help' };
  const subcommand = word.toLowerCase();
  if (!isSubcommand(subcommand)) {
    return invalid(`Unknown subcommand ${quoteInput(word)}. Valid subcommands: ${SUBCOMMANDS.join(', ')}.`);
  }
  switch (subcommand) {
    case 'help':
    case 'list':
      return args.length === 0 ? { kind: subcommand } : tooMany(subcommand, `/retirement ${subcommand}`);
    case 'setup':
      return parseSetup(args, catalog);
    case 'plan':
    case 'rotate':
    case 'check':
      return withRequiredTarget(subcommand, args, catalog);
    case 'status':
    case 'history':
      return withOptionalTarget(subcommand, args, catalog);
    case 'cancel':
      return parseRunId('cancel', args);
    case 'audit':
      return parseRunId('audit', args);
  }
}

function isSubcommand(word: string): word is Subcommand {
  return (SUBCOMMANDS as readonly string[]).includes(word);
}

function withRequiredTarget(
  kind: 'setup' | 'plan' | 'rotate' | 'check',
  args: string[],
  catalog: Catalog,
): ParsedCommand {
  const usage = `/retirement ${kind} ${ARG.app} ${ARG.env}`;
  if (args.length < 2) return invalid(`Usage: \`${usage}\`. ${validPairs(catalog)}`);
  if (args.length > 2) return tooMany(kind, usage);
  const target = catalog.resolve(args[0] as string, args[1] as string, quoteInput);
  return 'message' in target ? invalid(target.message) : { kind, target };
}

export const BREAK_GLASS_FLAG = '--break-glass';

/**
 * `setup <app> <env> [--break-glass]`: break-glass writes Vault directly as well as opening the
 * pull request, so it is only for pairs recorded through one, and only behind an approval.
 */
function parseSetup(args: string[], catalog: Catalog): ParsedCommand {
  const flagged = args.filter((arg) => arg.toLowerCase() === BREAK_GLASS_FLAG);
  const parsed = withRequiredTarget(
    'setup',
    args.filter((arg) => arg.toLowerCase() !== BREAK_GLASS_FLAG),
    catalog,
  );
  if (flagged.length === 0 || parsed.kind !== 'setup') return parsed;
  const { target } = parsed;
  if (target.credentials.record === 'vault') {
    return invalid(
      `\`${BREAK_GLASS_FLAG}\` is for pairs whose credentials go through a sops pull request; ${target.app} ${target.env} writes Vault directly already.`,
    );
  }
  if (!target.approval.required) {
    return invalid(
      `\`${BREAK_GLASS_FLAG}\` needs an approval, and ${target.app} ${target.env} has no approval policy; use a plain setup.`,
    );
  }
  return { ...parsed, breakGlass: true };
}

function withOptionalTarget(kind: 'status' | 'history', args: string[], catalog: Catalog): ParsedCommand {
  const usage = `/retirement ${kind} [${ARG.app} ${ARG.env}]`;
  if (args.length === 0) return { kind };
  if (args.length === 1) return invalid(`Give both an app and an environment, or neither: \`${usage}\`.`);
  if (args.length > 2) return tooMany(kind, usage);
  const target = catalog.resolve(args[0] as string, args[1] as string, quoteInput);
  return 'message' in target ? invalid(target.message) : { kind, target };
}

function parseRunId(kind: 'cancel' | 'audit', args: string[]): ParsedCommand {
  const usage = `/retirement ${kind} ${ARG.runId}`;
  if (args.length === 0) return invalid(`Usage: \`${usage}\` (the run id is on the run's status card).`);
  if (args.length > 1) return tooMany(kind, usage);
  const runId = (args[0] as string).toLowerCase();
  if (!RUN_ID_PATTERN.test(runId)) {
    return invalid(`${quoteInput(args[0] as string)} is not a run id; run ids look like \`r0a1b2c3d4e\`.`);
  }
  return { kind, runId };
}

function validPairs(catalog: Catalog): string {
  return `Apps: ${catalog.apps().join(', ')}. Environments: ${catalog.environments().join(', ')}.`;
}

function tooMany(kind: string, usage: string): ParsedCommand {
  return invalid(`Too many arguments for ${kind}. Usage: \`${usage}\`.`);
}

function invalid(message: string): ParsedCommand {
  return { kind: 'invalid', message };
}
