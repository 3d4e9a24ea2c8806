import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultEmulator } from '../../../emulators/vault/vault-emulator.js';
import type { SopsRecord } from '../../../src/config/catalog.js';
import { createOctokit, githubRepository } from '../../../src/integrations/github/github-repository.js';
import { proposeSecrets, secretsBranch } from '../../../src/integrations/github/secrets-pull-request.js';
import { credentialsInSops } from '../../../src/integrations/github/sops-secret-values.js';
import { FetchVaultTransit } from '../../../src/integrations/sops/vault-transit.js';
import { rejection } from '../../support/rejection.js';
import {
  operationsFile,
  SOPS_DECRYPT_RULES,
  SOPS_REPO,
  type SopsWorld,
  startSopsWorld,
} from '../../support/sops-world.js';
import { changedLines } from '../../unit/sops/vectors.js';

const SECRET = 'a-new-tubular-secret-5c1f0e9d8b7a6c5d4e3f';
const KEY = 'mitxonline/tubular_oauth_client';
const record: SopsRecord = { sops: { repo: SOPS_REPO, base: 'main', file: operationsFile('qa'), key: KEY } };
const credentials = { id: 'client-id-0123456789', secret: SECRET, host: 'https://courses.rc.learn.mit.edu' };
const context = {
  app: 'mitxonline',
  env: 'qa',
  runId: 'r-abc123',
  requestedBy: 'U0ALICE',
  runLink: 'run `r-abc123`',
};
const branch = secretsBranch('mitxonline', 'qa');

let vault: VaultEmulator;
let world: SopsWorld;
let transit: FetchVaultTransit;

beforeEach(async () => {
  vault = await VaultEmulator.start();
  world = await startSopsWorld(vault, ['qa']);
  transit = new FetchVaultTransit({
    token: vault.createToken({ rules: SOPS_DECRYPT_RULES }),
    allowedAddresses: [vault.url],
  });
});
afterEach(async () => {
  await world.github.stop();
  await vault.stop();
});

async function repository(token = world.github.token, timeoutMs?: number) {
  return githubRepository(
    await createOctokit({ apiUrl: world.github.url, auth: { kind: 'token', token }, timeoutMs }),
    SOPS_REPO,
  );
}

function propose(values = credentials, now = new Date('2026-09-01T08:00:00Z')) {
  return repository().then((github) => proposeSecrets(github, record, values, context, { transit, now }));
}

describe('the secrets pull request, against the GitHub emulator', () => {
  it('opens one pull request from the pair branch that changes only the three leaves, mac and lastmodified', async () => {
    const outcome = await propose();
    expect(outcome).toMatchObject({
      kind: 'proposed',
      committed: true,
      changedFields: ['id', 'secret', 'host'],
    });
    const [pull] = world.github.pulls(SOPS_REPO);
    expect(pull).toMatchObject({ number: 1, head: branch, base: 'main', state: 'open' });
    const after = world.github.readFile(SOPS_REPO, branch, operationsFile('qa')) as string;
    expect(credentialsInSops(after, world.dataKey, KEY)).toEqual(credentials);
    const before = world.files.qa as string;
    const changed = changedLines(before, after).map(
      (line) => after.split('\n')[line - 1]?.trim().split(':')[0],
    );
    expect(changed).toEqual(['id', 'secret', 'host', 'lastmodified', 'mac']);
    expect(pull?.body).toContain(`\`pipelines.${KEY}.secret\``);
    expect(pull?.body).toContain('U0ALICE');
    const commit = world.github.commitOf(SOPS_REPO, branch);
    for (const text of [pull?.body, pull?.title, pull?.head, commit?.message])
      expect(text).not.toContain(SECRET);
    expect(after).not.toContain(SECRET);
  });

  it('pushes nothing when the open pull request already holds the values, and updates rather than duplicates', async () => {
    await propose();
    const head = world.github.commitOf(SOPS_REPO, branch)?.sha;
    const again = await propose();
    expect(again).toMatchObject({ kind: 'proposed', committed: false });
    expect(world.github.commitOf(SOPS_REPO, branch)?.sha).toBe(head);
    const rotated = await propose({ ...credentials, secret: `${SECRET}-2` });
    expect(rotated).toMatchObject({ kind: 'proposed', committed: true, changedFields: ['secret'] });
    expect(world.github.pulls(SOPS_REPO)).toHaveLength(1);
    const file = world.github.readFile(SOPS_REPO, branch, operationsFile('qa')) as string;
    expect(credentialsInSops(file, world.dataKey, KEY)?.secret).toBe(`${SECRET}-2`);
  });

  it('never reopens a pull request a person closed, until its branch is deleted; then opens a new one', async () => {
    await propose();
    world.github.close(SOPS_REPO, 1);
    const refused = await rejection(propose());
    expect(refused.code).toBe('secrets_pull_request_closed');
    expect(refused.userMessage).toContain(`Delete branch \`${branch}\``);
    expect(world.github.pulls(SOPS_REPO)[0]?.state).toBe('closed');
    world.github.deleteBranch(SOPS_REPO, branch);
    expect(await propose()).toMatchObject({ kind: 'proposed', pull: { number: 2 } });
  });

  it('proposes nothing when the base already holds the values; starts again from the base after a merge', async () => {
    await propose();
    await world.github.merge(SOPS_REPO, 1);
    const requests = world.github.requests.length;
    expect(await propose()).toEqual({ kind: 'at_base' });
    expect(world.github.requests.slice(requests).filter((r) => !r.startsWith('GET'))).toEqual([]);
    const next = await propose({ ...credentials, secret: `${SECRET}-next` });
    expect(next).toMatchObject({ kind: 'proposed', pull: { number: 2 }, changedFields: ['secret'] });
  });
});

describe('GitHub failures, typed', () => {
  it('bad credentials, a missing repository, a rate limit with Retry-After, a conflict, a duplicate', async () => {
    const badToken = await repository('ghp_not-a-token');
    expect((await rejection(badToken.pullsFrom(branch))).code).toBe('github_unauthorized');
    const missing = githubRepository(
      await createOctokit({ apiUrl: world.github.url, auth: { kind: 'token', token: world.github.token } }),
      'mitodl/nope',
    );
    expect((await rejection(missing.pull(1))).code).toBe('github_not_found');
    world.github.failNext({
      status: 403,
      headers: { 'retry-after': '42', 'x-ratelimit-remaining': '0' },
      body: { message: 'API rate limit exceeded', documentation_url: 'https://docs.github.com/rest' },
    });
    const limited = await rejection(propose());
    expect(limited).toMatchObject({ code: 'github_rate_limited', retryable: true });
    expect(limited.userMessage).toContain('42 s');
    const github = await repository();
    const main = (await github.readFile(operationsFile('qa'), 'main')) as { sha: string };
    world.github.pushFile(SOPS_REPO, 'main', operationsFile('qa'), 'changed by a person\n');
    const conflict = await rejection(
      github.writeFile({
        path: operationsFile('qa'),
        branch: 'main',
        content: 'x',
        sha: main.sha,
        message: 'm',
      }),
    );
    expect(conflict).toMatchObject({ code: 'github_conflict', retryable: true });
    const unchanged = await rejection(
      github.openPull({ branch: 'main', base: 'main', title: 't', body: 'b' }),
    );
    expect(unchanged.code).toBe('github_rejected');
    expect(unchanged.userMessage).toContain('No commits between main and main');
  });

  it('gives up on a GitHub that does not answer in time', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const port = (silent.address() as { port: number }).port;
    const github = githubRepository(
      await createOctokit({
        apiUrl: `http://127.0.0.1:${port}`,
        auth: { kind: 'token', token: 't' },
        timeoutMs: 200,
      }),
      SOPS_REPO,
    );
    const error = await rejection(github.pullsFrom(branch));
    expect(error).toMatchObject({ code: 'github_unreachable', retryable: true });
    expect(error.userMessage).toContain('did not answer in time');
    silent.closeAllConnections();
    silent.close();
  });
});

describe('as a GitHub App installation', () => {
  it('signs a JWT, exchanges it for an installation token and proposes with it', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { GitHubEmulator } = await import('../../../emulators/github/github-emulator.js');
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = await GitHubEmulator.start({
      app: {
        appId: 4242,
        installationId: 77,
        publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    });
    app.createRepo(SOPS_REPO, 'main', { [operationsFile('qa')]: world.files.qa as string });
    const dir = await mkdtemp(join(tmpdir(), 'rb-gh-app-'));
    const keyPath = join(dir, 'app.pem');
    await writeFile(keyPath, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), {
      mode: 0o600,
    });
    try {
      const octokit = await createOctokit({
        apiUrl: app.url,
        auth: { kind: 'app', appId: '4242', installationId: '77', privateKeyPath: keyPath },
      });
      const outcome = await proposeSecrets(
        githubRepository(octokit, SOPS_REPO),
        record,
        credentials,
        context,
        {
          transit,
          now: new Date(),
        },
      );
      expect(outcome).toMatchObject({ kind: 'proposed', pull: { number: 1 } });
      expect(app.requests[0]).toBe('POST /app/installations/77/access_tokens');
      const wrongInstallation = await createOctokit({
        apiUrl: app.url,
        auth: { kind: 'app', appId: '4242', installationId: '78', privateKeyPath: keyPath },
      });
      expect((await rejection(githubRepository(wrongInstallation, SOPS_REPO).pull(1))).code).toBe(
        'github_not_found',
      );
      const missingKey = await rejection(
        createOctokit({
          apiUrl: app.url,
          auth: { kind: 'app', appId: '1', installationId: '1', privateKeyPath: '/nonexistent.pem' },
        }),
      );
      expect(missingKey.code).toBe('github_app_key_unreadable');
    } finally {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
