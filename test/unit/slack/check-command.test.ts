import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/slack/commands/parse-command.js';
import { testCatalog } from '../../support/test-catalog.js';

const catalog = testCatalog();

describe('/retirement check', () => {
  it('names the pair to check', () => {
    const parsed = parseCommand('check XPRO qa', catalog);
    expect(parsed.kind).toBe('check');
    expect(parsed.kind === 'check' && `${parsed.target.app} ${parsed.target.env}`).toBe('xpro qa');
  });

  it('answers a missing, extra or unknown argument specifically', () => {
    expect(parseCommand('check mitxonline', catalog)).toEqual({
      kind: 'invalid',
      message:
        'Usage: `/retirement check &lt;app&gt; &lt;env&gt;`. Apps: mitxonline, xpro. Environments: qa, production.',
    });
    expect(parseCommand('check mitxonline qa now', catalog)).toEqual({
      kind: 'invalid',
      message: 'Too many arguments for check. Usage: `/retirement check &lt;app&gt; &lt;env&gt;`.',
    });
    expect(parseCommand('check mitxonline prod', catalog)).toEqual({
      kind: 'invalid',
      message: 'Unknown environment `prod` for mitxonline. Valid environments: qa, production.',
    });
  });
});
