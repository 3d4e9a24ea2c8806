import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcourseEmulator } from '../../../emulators/concourse/concourse-emulator.js';

/*
 * The emulator gives a saved config back the way the ATC does. SENT → GIVEN_BACK is what
 * Concourse v7.11.2's own structs (atc/config.go, job_config.go, steps.go, task.go) produce when
 * the body goes through save.go's decoding, the database's JSON round trip and get.go.
 */
const PASSWORD = 'concourse-password-9e0b';
const CONFIG = '/api/v1/teams/main/pipelines/p/config';

const SENT = {
  resources: [
    {
      name: 'schedule',
      type: 'time',
      icon: '',
      source: { interval: '168h', start: null, stop: null, days: null },
    },
    { name: 'repo', type: 'git', check_every: '60s', public: false, source: { uri: 'u', fetch_tags: false } },
    { name: 'never', type: 'git', check_every: 'never', source: {} },
    { name: 'zero', type: 'git', check_every: '0s', source: {} },
  ],
  jobs: [
    {
      name: 'job',
      serial: false,
      max_in_flight: 1,
      plan: [
        { trigger: true, get: 'repo', passed: [] },
        { get: 'schedule', trigger: false },
        { load_var: 'v', file: 'f.json', reveal: false },
        {
          task: 't',
          across: [{ var: 'x', values: '((.:v))' }],
          config: {
            platform: 'linux',
            image_resource: { type: 'registry-image', source: { repository: 'r', aws_region: 'us-east-1' } },
            inputs: [{ name: 'repo' }],
            outputs: [],
            params: { B: 'b', A: 5 },
            run: { path: 'p', args: [] },
          },
        },
        { in_parallel: [{ get: 'never' }] },
      ],
    },
  ],
  user_data: { dropped: true },
};

const GIVEN_BACK =
  '{"config":{"resources":[{"name":"never","type":"git","source":{},"check_every":"never"},{"name":"repo","type":"git","source":{"fetch_tags":false,"uri":"u"},"check_every":"1m0s"},{"name":"schedule","type":"time","source":{"days":null,"interval":"168h","start":null,"stop":null}},{"name":"zero","type":"git","source":{},"check_every":""}],"jobs":[{"name":"job","max_in_flight":1,"plan":[{"get":"repo","trigger":true},{"get":"schedule"},{"file":"f.json","load_var":"v"},{"across":[{"var":"x","values":"((.:v))"}],"config":{"platform":"linux","image_resource":{"name":"","type":"registry-image","source":{"aws_region":"us-east-1","repository":"r"}},"params":{"A":"5","B":"b"},"run":{"path":"p"},"inputs":[{"name":"repo"}]},"task":"t"},{"in_parallel":{"steps":[{"get":"never"}]}}]}]}}';

let atc: ConcourseEmulator;
let token: string;

beforeEach(async () => {
  atc = await ConcourseEmulator.start({
    users: [{ username: 'bot', password: PASSWORD, teams: { main: ['owner'] } }],
  });
  const login = await fetch(`${atc.url}/sky/issuer/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('fly:Zmx5').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'password', username: 'bot', password: PASSWORD }),
  });
  token = ((await login.json()) as { access_token: string }).access_token;
});
afterEach(async () => {
  await atc.stop();
});

async function save(config: unknown, version = ''): Promise<{ status: number; body: string }> {
  const response = await fetch(`${atc.url}${CONFIG}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-concourse-config-version': version,
    },
    body: JSON.stringify(config),
  });
  return { status: response.status, body: await response.text() };
}

async function givenBack(): Promise<string> {
  const response = await fetch(`${atc.url}${CONFIG}`, { headers: { authorization: `Bearer ${token}` } });
  return response.text();
}

describe('the emulated ATC keeps a pipeline config as the Go structs re-marshal it', () => {
  it('gives back durations as Duration.String(), Go zero values, Go key order and resources by name', async () => {
    expect((await save(SENT)).status).toBe(201);
    expect(await givenBack()).toBe(GIVEN_BACK);
    expect((await save(JSON.parse(GIVEN_BACK).config, '1')).status).toBe(200);
    expect(await givenBack()).toBe(GIVEN_BACK);
  });

  it('keeps jobs in the order they were created', async () => {
    const job = (name: string) => ({ name, plan: [{ get: 'r' }] });
    const resources = [{ name: 'r', type: 'git', source: {} }];
    await save({ resources, jobs: [job('b'), job('a')] });
    await save({ resources, jobs: [job('c'), job('a'), job('b')] }, '1');
    const { config } = JSON.parse(await givenBack()) as { config: { jobs: { name: string }[] } };
    expect(config.jobs.map((j) => j.name)).toEqual(['b', 'a', 'c']);
  });

  it('refuses what the ATC cannot decode or configvalidate refuses', async () => {
    const resources = [{ name: 'r', type: 'git', source: {} }];
    const refused = async (config: unknown) => {
      const { status, body } = await save(config);
      expect(status).toBe(400);
      return (JSON.parse(body) as { errors: string[] }).errors.join('; ');
    };
    expect(await refused({ resources: [{ ...resources[0], check_every: '5x' }], jobs: [] })).toBe(
      'malformed config: time: unknown unit "x" in duration "5x"',
    );
    expect(await refused({ resources: [{ ...resources[0], bogus: 1 }], jobs: [] })).toBe(
      'malformed config: json: unknown field "bogus"',
    );
    expect(await refused({ resources, jobs: [{ name: 'j', plan: [{ timeout: '1h' }] }] })).toBe(
      'malformed config: no core step type declared (e.g. get, put, task, etc.)',
    );
    expect(await refused({ resources, jobs: [{ name: 'j', plan: [{ get: 'r', bogus: 1 }] }] })).toContain(
      'unknown fields ["bogus"]',
    );
    expect(atc.pipelines.size).toBe(0);
  });
});
