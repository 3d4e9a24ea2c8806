import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogFile } from '../../../src/config/catalog.js';
import { parseCommand } from '../../../src/slack/commands/parse-command.js';
import { testCatalog } from '../../support/test-catalog.js';

const shipped = loadCatalogFile(resolve(import.meta.dirname, '../../../config/environments.yml'));

describe('setup --break-glass', () => {
  it('is accepted for a sops pair behind an approval, in any case and position', () => {
    expect(parseCommand('setup mitxonline production --break-glass', shipped)).toMatchObject({
      kind: 'setup',
      breakGlass: true,
      target: { app: 'mitxonline', env: 'production' },
    });
    expect(parseCommand('setup --BREAK-GLASS xpro production', shipped)).toMatchObject({ breakGlass: true });
    expect(parseCommand('setup xpro production', shipped)).not.toHaveProperty('breakGlass');
  });

  it('is refused, saying why, for a pair without an approval policy or one that writes Vault directly', () => {
    expect(parseCommand('setup mitxonline qa --break-glass', shipped)).toEqual({
      kind: 'invalid',
      message:
        '`--break-glass` needs an approval, and mitxonline qa has no approval policy; use a plain setup.',
    });
    expect(parseCommand('setup xpro production --break-glass', testCatalog())).toEqual({
      kind: 'invalid',
      message:
        '`--break-glass` is for pairs whose credentials go through a sops pull request; xpro production writes Vault directly already.',
    });
    expect(parseCommand('plan xpro production --break-glass', shipped)).toMatchObject({ kind: 'invalid' });
  });
});
