import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCommand } from '../../../src/cli/render-command.js';
import { buildTubularPipeline } from '../../../src/integrations/concourse/tubular-pipeline.js';
import { testCatalog } from '../../support/test-catalog.js';

function render(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const code = renderCommand(args, { stdout, stderr, catalog: testCatalog() });
  return { code, out: String(stdout.read() ?? ''), err: String(stderr.read() ?? '') };
}

describe('retirement-bot run render', () => {
  it('prints the definition as JSON by default, like tubular.py', () => {
    const { code, out, err } = render(['mitxonline', 'qa']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(buildTubularPipeline());
    expect(err).toContain('team mitxonline');
  });

  it('prints YAML on request', () => {
    const { code, out } = render(['xpro', 'production', '--format', 'yaml']);
    expect(code).toBe(0);
    expect(parse(out)).toEqual(buildTubularPipeline());
  });

  it('explains bad arguments and exits 2', () => {
    expect(render(['mitxonline'])).toMatchObject({ code: 2, err: expect.stringContaining('Usage') });
    expect(render(['mitxonline', 'qa', '--format', 'toml'])).toMatchObject({
      code: 2,
      err: 'Unknown format "toml"; valid formats: json, yaml.\n',
    });
    const unknown = render(['nope', 'qa']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('mitxonline');
  });
});
