import type { Catalog, Target } from '../../config/catalog.js';

export type MentionRequest = { kind: 'status'; target?: Target } | { kind: 'help' };

/**
 * Understands mentions such as "@retirement-bot status of mitxonline production?". Words are
 * matched against the catalog, so punctuation and filler words do not matter.
 */
export function parseMention(text: string, catalog: Catalog): MentionRequest {
  const words = text
    .replace(/<[^>]*>/g, ' ')
    .toLowerCase()
    .split(/[^a-z0-9-]+/)
    .filter(Boolean);
  if (!words.includes('status')) return { kind: 'help' };
  const app = catalog.apps().find((name) => words.includes(name));
  const env = app ? catalog.environments(app).find((name) => words.includes(name)) : undefined;
  const target = app && env ? catalog.get(app, env) : undefined;
  return target ? { kind: 'status', target } : { kind: 'status' };
}
