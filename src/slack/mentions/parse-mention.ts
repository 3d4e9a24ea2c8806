import type { Catalog, Target } from '../../config/catalog.js';
import { quoteInput } from '../mrkdwn.js';

export type MentionRequest =
  | { kind: 'status'; target?: Target }
  | { kind: 'help' }
  | { kind: 'invalid'; message: string };

/** Words people put around an app and environment that name neither. */
const FILLER = new Set(['of', 'for', 'on', 'in', 'at', 'the', 'is', 'please', 'pipeline', 'and', 's']);

/**
 * Understands mentions such as "@retirement-bot status of mitxonline production?". The words
 * after `status`, without filler words and punctuation, name the pair; a pair that is not in the
 * catalog gets the slash command's answer ("Unknown app …; valid apps: …"), not every pair's status.
 */
export function parseMention(text: string, catalog: Catalog): MentionRequest {
  const words = text
    .replace(/<[^>]*>/g, ' ')
    .split(/[^A-Za-z0-9_-]+/)
    .filter(Boolean);
  const at = words.findIndex((word) => word.toLowerCase() === 'status');
  if (at < 0) return { kind: 'help' };
  const named = words.slice(at + 1).filter((word) => !FILLER.has(word.toLowerCase()));
  if (named.length === 0) return { kind: 'status' };
  const [app, env] = named as [string, string | undefined];
  if (env === undefined) {
    const known = catalog.apps().includes(app.toLowerCase());
    return {
      kind: 'invalid',
      message: known
        ? `Give an environment too, e.g. \`status of ${app.toLowerCase()} ${catalog.environments(app.toLowerCase())[0] ?? 'qa'}\`. Valid environments: ${catalog.environments(app.toLowerCase()).join(', ')}.`
        : `Unknown app ${quoteInput(app)}. Valid apps: ${catalog.apps().join(', ')}.`,
    };
  }
  const target = catalog.resolve(app, env, quoteInput);
  return 'message' in target ? { kind: 'invalid', message: target.message } : { kind: 'status', target };
}
