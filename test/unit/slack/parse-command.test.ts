import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogFile } from '../../../src/config/catalog.js';
import { parseCommand } from '../../../src/slack/commands/parse-command.js';
import { parseMention } from '../../../src/slack/mentions/parse-mention.js';

const catalog = loadCatalogFile(resolve(import.meta.dirname, '../../../config/environments.yml'));

describe('parseCommand', () => {
  it('resolves setup and plan targets case-insensitively', () => {
    const setup = parseCommand('setup MITxOnline QA', catalog);
    expect(setup.kind).toBe('setup');
    expect(setup.kind === 'setup' && [setup.target.app, setup.target.env]).toEqual(['mitxonline', 'qa']);
    expect(parseCommand('  plan   xpro   production ', catalog).kind).toBe('plan');
  });

  it('takes status and history with or without a pair', () => {
    expect(parseCommand('status', catalog)).toEqual({ kind: 'status' });
    const status = parseCommand('status mitx ci', catalog);
    expect(status.kind === 'status' && status.target?.lmsUrl).toBe('https://lms-ci.mitx.mit.edu');
    expect(parseCommand('history', catalog)).toEqual({ kind: 'history' });
  });

  it('accepts run ids for cancel', () => {
    expect(parseCommand('cancel R0A1B2C3D4E', catalog)).toEqual({ kind: 'cancel', runId: 'r0a1b2c3d4e' });
  });

  it.each([
    [
      'setup mitxonline',
      'Usage: `/retirement setup &lt;app&gt; &lt;env&gt;`. Apps: mitxonline, mitx, mitx-staging, xpro. Environments: ci, qa, production.',
    ],
    [
      'setup mitxonline staging',
      'Unknown environment `staging` for mitxonline. Valid environments: ci, qa, production.',
    ],
    ['list all', 'Too many arguments for list. Usage: `/retirement list`.'],
    ['cancel', 'Usage: `/retirement cancel &lt;run-id&gt;`'],
    ['cancel r1 r2', 'Too many arguments for cancel.'],
  ])('explains %j', (text, message) => {
    const parsed = parseCommand(text, catalog);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.message).toContain(message);
  });

  it.each([
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile user types the shell's ${IFS} literally
    ['shell metacharacters', "setup mitxonline';rm${IFS}-rf qa", "Unknown app `mitxonline';rm${IFS}-rf`"],
    ['command substitution', 'setup $(id) qa', 'Unknown app `$(id)`'],
    ['Slack markup', 'setup <!channel> qa', 'Unknown app `&lt;!channel&gt;`'],
    ['backticks', 'setup `whoami` qa', 'Unknown app `whoami`'],
    ['unicode look-alikes', 'setup mіtxonline qa', 'Unknown app `mіtxonline`'],
  ])('rejects %s without echoing markup raw', (_name, text, expected) => {
    const parsed = parseCommand(text, catalog);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.message).toContain(expected);
  });

  it('bounds huge input and quoted words', () => {
    const huge = parseCommand(`setup ${'a'.repeat(5000)} qa`, catalog);
    expect(huge.kind === 'invalid' && huge.message).toBe(
      'That command is too long (5009 characters; at most 200).',
    );
    const long = parseCommand(`setup ${'x'.repeat(150)} qa`, catalog);
    expect(long.kind === 'invalid' && long.message).toContain(`Unknown app \`${'x'.repeat(40)}…\``);
  });
});

describe('parseMention', () => {
  it('finds status requests with or without a pair', () => {
    const parsed = parseMention('<@U0RETIREBOT> status of mitxonline production?', catalog);
    expect(parsed.kind === 'status' && [parsed.target?.app, parsed.target?.env]).toEqual([
      'mitxonline',
      'production',
    ]);
    expect(parseMention('<@U0RETIREBOT> what is the status?', catalog)).toEqual({ kind: 'status' });
    expect(parseMention('<@U0RETIREBOT> hello', catalog)).toEqual({ kind: 'help' });
  });

  it('answers an unknown app or environment like the slash command, not with every pair', () => {
    expect(parseMention('<@U0RETIREBOT> status of foo production?', catalog)).toEqual({
      kind: 'invalid',
      message: 'Unknown app `foo`. Valid apps: mitxonline, mitx, mitx-staging, xpro.',
    });
    expect(parseMention('status of mitxonline prod', catalog)).toEqual({
      kind: 'invalid',
      message: 'Unknown environment `prod` for mitxonline. Valid environments: ci, qa, production.',
    });
    const single = parseMention('status of mitxonline', catalog);
    expect(single.kind === 'invalid' && single.message).toContain('Give an environment too');
  });

  it('tells mitx from mitx-staging', () => {
    const parsed = parseMention('status mitx-staging qa', catalog);
    expect(parsed.kind === 'status' && parsed.target?.app).toBe('mitx-staging');
  });
});
