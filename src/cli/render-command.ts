import { stringify } from 'yaml';
import type { Catalog } from '../config/catalog.js';
import { buildTubularPipeline } from '../integrations/concourse/tubular-pipeline.js';

const USAGE = 'Usage: retirement-bot run render <app> <env> [--format json|yaml]';
const FORMATS = ['json', 'yaml'];

/**
 * `retirement-bot run render <app> <env>`: prints the pipeline definition the bot would set,
 * as `tubular.py` prints its definition.json. Exit codes: 0 printed, 2 bad arguments.
 */
export function renderCommand(
  args: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; catalog: Catalog },
): number {
  const formatIndex = args.indexOf('--format');
  const format = formatIndex >= 0 ? args[formatIndex + 1] : 'json';
  const positional =
    formatIndex >= 0 ? args.filter((_, i) => i !== formatIndex && i !== formatIndex + 1) : args;
  const [app, env, ...extra] = positional;
  if (!app || !env || extra.length > 0 || !format) {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (!FORMATS.includes(format)) {
    io.stderr.write(`Unknown format "${format}"; valid formats: ${FORMATS.join(', ')}.\n`);
    return 2;
  }
  const target = io.catalog.resolve(app, env);
  if ('message' in target) {
    io.stderr.write(`${target.message}\n`);
    return 2;
  }
  const pipeline = buildTubularPipeline();
  io.stdout.write(format === 'json' ? `${JSON.stringify(pipeline, null, 2)}\n` : stringify(pipeline));
  io.stderr.write(
    `# set in Concourse team ${target.concourse.team} at ${target.concourse.url} as ${target.concourse.pipeline}\n`,
  );
  return 0;
}
