import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeServer, listenOnLoopback } from '../../../emulators/loopback-server.js';
import { ConcourseClient } from '../../../src/integrations/concourse/concourse-client.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { rejection } from '../../support/rejection.js';

/*
 * The emulator only answers well-formed JSON, so these tests put a loopback server in its place
 * that answers each `METHOD /path` with whatever body the test gives it.
 */
const BUILDS_PATH = '/api/v1/teams/mitxonline/pipelines/misc-cloud-tubular/jobs/deploy-tubular-world/builds';
const TOKEN = JSON.stringify({ access_token: 'token-5b1e', token_type: 'bearer', expires_in: 3600 });

let server: Server;
let url: string;
let answers: Map<string, { status?: number; body: string }>;

beforeEach(async () => {
  answers = new Map([['POST /sky/issuer/token', { body: TOKEN }]]);
  server = createServer((req, res) => {
    req.resume();
    const answer = answers.get(`${req.method} ${req.url}`) ?? { status: 404, body: '' };
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  url = await listenOnLoopback(server);
});
afterEach(async () => {
  await closeServer(server);
});

function client(): ConcourseClient {
  const redactor = new SecretRedactor();
  return new ConcourseClient({
    url,
    team: 'mitxonline',
    username: 'bot',
    password: 'concourse-password-7f3a9c',
    timeoutMs: 2_000,
    redactor,
    logger: createLogger({ level: 'silent', redactor }),
  });
}

function answer(route: string, body: unknown, status?: number): void {
  answers.set(route, { body: typeof body === 'string' ? body : JSON.stringify(body), status });
}

const build = { id: 7, name: '3', status: 'started', team_name: 'mitxonline' };

describe('ConcourseClient with answers it does not understand', () => {
  it('rejects a build list that is not a list of builds', async () => {
    answer(`GET ${BUILDS_PATH}?limit=5`, { builds: [build] });
    const error = await rejection(client().listJobBuilds('misc-cloud-tubular', 'deploy-tubular-world', 5));
    expect(error).toMatchObject({
      code: 'concourse_unexpected_answer',
      userMessage: `Concourse at ${url} answered GET ${BUILDS_PATH}?limit=5 with something the bot does not understand.`,
      retryable: false,
    });
    expect(error.detail).toMatch(/^\(root\): /);
  });

  it('names where a build in the list is wrong without quoting the value', async () => {
    answer(`GET ${BUILDS_PATH}?limit=5`, [build, { ...build, id: 8, status: 'vaporised-c0ffee' }]);
    const error = await rejection(client().listJobBuilds('misc-cloud-tubular', 'deploy-tubular-world', 5));
    expect(error.code).toBe('concourse_unexpected_answer');
    expect(error.detail).toMatch(/^1\.status: /);
    expect(error.message).not.toContain('vaporised-c0ffee');
  });

  it('rejects a build with a field of the wrong type, also while following it', async () => {
    answer('GET /api/v1/builds/7', { ...build, id: '7' });
    const error = await rejection(client().getBuild(7));
    expect(error.code).toBe('concourse_unexpected_answer');
    expect(error.userMessage).toBe(
      `Concourse at ${url} answered GET /api/v1/builds/7 with something the bot does not understand.`,
    );
    expect(error.detail).toMatch(/^id: /);
    const following = client().waitForBuild(7, { pollMs: 5, timeoutMs: 1_000 });
    expect((await rejection(following)).code).toBe('concourse_unexpected_answer');
  });

  it('rejects a build that is not JSON', async () => {
    answer('GET /api/v1/builds/7', '<html>502 Bad Gateway</html>');
    expect(await rejection(client().getBuild(7))).toMatchObject({
      code: 'concourse_unexpected_answer',
      detail: 'the body is not JSON',
    });
  });

  it('accepts fields the ATC adds and keeps only the ones the bot reads', async () => {
    answer('GET /api/v1/builds/7', { ...build, api_url: '/api/v1/builds/7', created_by: 'someone' });
    expect(await client().getBuild(7)).toEqual(build);
  });

  it('rejects a token answer that is not JSON, and a 400 without errors', async () => {
    answer('POST /sky/issuer/token', 'ok');
    const login = await rejection(client().checkAccess());
    expect(login).toMatchObject({ code: 'concourse_unexpected_answer', detail: 'the body is not JSON' });
    expect(login.userMessage).toContain('answered POST /sky/issuer/token with');

    answer('POST /sky/issuer/token', TOKEN);
    answer('PUT /api/v1/teams/mitxonline/pipelines/misc-cloud-tubular/config', { error: 'nope' }, 400);
    const rejected = await rejection(client().setPipeline('misc-cloud-tubular', { jobs: [] }, undefined));
    expect(rejected).toMatchObject({
      code: 'concourse_unexpected_answer',
      detail: 'errors: Invalid input: expected array, received undefined',
    });
  });
});
