import { describe, expect, it } from 'vitest';
import {
  formatGoDuration as emulatorFormat,
  parseGoDuration as emulatorParse,
} from '../../../emulators/concourse/go-duration.js';
import {
  canonicalConfig,
  formatDuration,
  parseDuration,
} from '../../../src/integrations/concourse/canonical-config.js';
import { diffConfig } from '../../../src/integrations/concourse/pipeline-config-diff.js';
import { buildTubularPipeline } from '../../../src/integrations/concourse/tubular-pipeline.js';

/** What Go's time.ParseDuration(…).String() prints for each, as go1.19 printed it for this list. */
const GO_STRINGS: [string, string][] = [
  ['0', '0s'],
  ['60s', '1m0s'],
  ['1m', '1m0s'],
  ['168h', '168h0m0s'],
  ['1h30m', '1h30m0s'],
  ['90m', '1h30m0s'],
  ['1.5h', '1h30m0s'],
  ['.5m', '30s'],
  ['1.s', '1s'],
  ['500ms', '500ms'],
  ['1500ms', '1.5s'],
  ['2h45m30.5s', '2h45m30.5s'],
  ['1us', '1µs'],
  ['1.5µs', '1.5µs'],
  ['999ns', '999ns'],
  ['-1m5s', '-1m5s'],
  ['+3s', '3s'],
  ['1h0m0.000000001s', '1h0m0.000000001s'],
];

describe('parseDuration and formatDuration', () => {
  it.each(GO_STRINGS)('reads %s as Go does and writes it as %s', (text, go) => {
    const nanoseconds = parseDuration(text);
    expect(nanoseconds).toBeDefined();
    expect(formatDuration(nanoseconds as bigint)).toBe(go);
    expect(emulatorFormat(emulatorParse(text))).toBe(go);
  });

  it('gives the same length of time for every spelling of it', () => {
    const spellings = ['60s', '1m', '1m0s', '60000ms', '1m0.0s', '.5m30s'];
    expect(new Set(spellings.map((s) => parseDuration(s)))).toEqual(new Set([60_000_000_000n]));
    expect(parseDuration('1.5h')).toBe(parseDuration('1h30m'));
  });

  it.each(['', '60', 'h', '.s', '1x', '1h 30m', '1mh', 'never', '((interval))'])(
    'is not fooled by %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
      expect(() => emulatorParse(text)).toThrow(/^time: /);
    },
  );
});

/** The tubular pipeline as GET …/config gives it back (see emulators/concourse/atc-config.ts). */
function asTheAtcGivesItBack(): Record<string, unknown> {
  const config = structuredClone(buildTubularPipeline()) as unknown as {
    resources: Record<string, unknown>[];
    jobs: { plan: Record<string, { image_resource?: Record<string, unknown> }>[] }[];
  };
  for (const resource of config.resources) {
    if (resource.check_every === '60s') resource.check_every = '1m0s';
  }
  for (const step of config.jobs[0]?.plan ?? []) {
    const task = step.config;
    if (task?.image_resource) task.image_resource = { name: '', ...task.image_resource };
  }
  config.resources.reverse();
  return config;
}

describe('canonicalConfig', () => {
  it('makes the config the ATC gives back equal to the generated one', () => {
    const back = asTheAtcGivesItBack();
    expect(JSON.stringify(back)).not.toBe(JSON.stringify(buildTubularPipeline()));
    expect(canonicalConfig(back)).toEqual(canonicalConfig(buildTubularPipeline()));
    expect(diffConfig(back, buildTubularPipeline())).toEqual({ changed: false, text: '' });
  });

  it('drops only the zero values Go reads as unset', () => {
    const config = {
      resources: [
        { name: 'r', type: 'git', icon: '', check_every: '0s', source: { fetch_tags: false, x: '' } },
      ],
      jobs: [
        {
          name: 'j',
          max_in_flight: 0,
          plan: [
            { get: 'r', trigger: false },
            { load_var: 'v', file: 'f', reveal: false },
            {
              task: 't',
              config: {
                platform: 'linux',
                image_resource: { name: '', type: 'registry-image', source: {} },
                params: {},
                inputs: [],
                outputs: [],
                run: { path: 'true', args: [] },
              },
            },
          ],
        },
      ],
    };
    expect(canonicalConfig(config)).toEqual({
      resources: [{ name: 'r', type: 'git', source: { fetch_tags: false, x: '' } }],
      jobs: [
        {
          name: 'j',
          plan: [
            { get: 'r' },
            { load_var: 'v', file: 'f' },
            {
              task: 't',
              config: {
                platform: 'linux',
                image_resource: { type: 'registry-image', source: {} },
                run: { path: 'true' },
              },
            },
          ],
        },
      ],
    });
  });

  it('leaves what it cannot read as a duration, and fields it does not know, as they are', () => {
    const config = {
      resources: [
        { name: 'b', type: 'time', check_every: 'never', source: { interval: '168h' } },
        { name: 'a', type: 'git', check_every: '((every))', public: true, source: {} },
      ],
      jobs: [{ name: 'j', plan: [{ get: 'a', passed: [] }] }],
    };
    expect(canonicalConfig(config)).toEqual({
      resources: [config.resources[1], config.resources[0]],
      jobs: config.jobs,
    });
  });

  it('still tells a different interval or a changed task param apart, in readable YAML', () => {
    const changed = asTheAtcGivesItBack() as { resources: { name: string; check_every?: string }[] };
    const git = changed.resources.find((r) => r.name === 'tubular-pipeline-config');
    if (git) git.check_every = '2m';
    const diff = diffConfig(changed, buildTubularPipeline());
    expect(diff.changed).toBe(true);
    expect(diff.text).toContain('-  - check_every: 2m0s\n+  - check_every: 1m0s');
    expect(diff.text).not.toContain('name: ""');
  });
});
