import { describe, expect, it } from 'vitest';
import { parseCatalog, type Target } from '../../../src/config/catalog.js';
import { watchIntervalMs } from '../../../src/config/catalog-schema.js';
import { ConfigError } from '../../../src/config/config-error.js';
import { testCatalogYaml } from '../../support/test-catalog.js';

/** The test catalog with `defaults`, mitxonline and its production given extra lines. */
function catalogWith(lines: { defaults?: string; app?: string; production?: string }) {
  let yaml = testCatalogYaml();
  if (lines.defaults) yaml = yaml.replace('defaults:\n', `defaults:\n  ${lines.defaults}\n`);
  if (lines.app)
    yaml = yaml.replace(
      '    concourse: { team: mitxonline }\n',
      `    concourse: { team: mitxonline }\n    ${lines.app}\n`,
    );
  if (lines.production) {
    yaml = yaml.replace(
      // The first production is mitxonline's.
      '      production: { approval: { required: true } }\n',
      `      production: { approval: { required: true }, ${lines.production} }\n`,
    );
  }
  return parseCatalog(yaml, 'test.yml');
}

function problems(lines: Parameters<typeof catalogWith>[0]): readonly string[] {
  try {
    catalogWith(lines);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the catalog to be rejected');
}

const pair = (catalog: ReturnType<typeof catalogWith>, app: string, env: string) =>
  catalog.get(app, env) as Target;

describe('alerts and watch in the catalog', () => {
  it('watches every pair daily without alerts by default', () => {
    const catalog = catalogWith({});
    for (const target of catalog.all()) {
      expect(target.watch).toEqual({ every: '1d' });
      expect(target.alerts).toBeUndefined();
    }
  });

  it('merges the levels: defaults, then the app, then the environment', () => {
    const catalog = catalogWith({
      defaults: 'alerts: { channel: C0DEFAULT }',
      app: 'watch: { every: 30m }',
      production: 'alerts: { channel: C0PROD }, watch: false',
    });
    expect(pair(catalog, 'mitxonline', 'qa')).toMatchObject({
      alerts: { channel: 'C0DEFAULT' },
      watch: { every: '30m' },
    });
    expect(pair(catalog, 'mitxonline', 'production')).toMatchObject({
      alerts: { channel: 'C0PROD' },
      watch: false,
    });
    expect(pair(catalog, 'xpro', 'qa')).toMatchObject({
      alerts: { channel: 'C0DEFAULT' },
      watch: { every: '1d' },
    });
  });

  it('names each bad value', () => {
    expect(problems({ defaults: 'alerts: { channel: "#ops" }' })).toContain(
      'test.yml: defaults.alerts.channel: must be a Slack channel id such as C012ABCDEF (not a #name)',
    );
    expect(problems({ app: 'watch: { every: 90s }' }).join('\n')).toContain(
      'must be a duration such as 30m, 1h, 1d or 1w',
    );
    expect(problems({ app: 'watch: { every: 1m }' }).join('\n')).toContain('must be at least 5m');
    expect(problems({ app: 'watch: true' }).join('\n')).toContain('watch');
  });

  it('reads intervals in minutes, hours, days and weeks', () => {
    expect(watchIntervalMs('30m')).toBe(30 * 60_000);
    expect(watchIntervalMs('1h')).toBe(3_600_000);
    expect(watchIntervalMs('1d')).toBe(86_400_000);
    expect(watchIntervalMs('2w')).toBe(14 * 86_400_000);
  });
});
