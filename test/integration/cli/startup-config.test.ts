import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');

/** Starts the real program the way an operator does and returns how it ended. */
async function start(env: Record<string, string>, args = ['start']) {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('start-up configuration checks', () => {
  it('stops on a bad catalog and a bad environment, listing every problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    const path = join(dir, 'environments.yml');
    writeFileSync(
      path,
      'apps:\n  mitxonline:\n    retirementStates: [COMPLETE, PENDING]\n    environments:\n      qa: { lmsUrl: "ftp://x", edxWorker: { port: 0 } }\n',
    );
    const result = await start({
      RETIREMENT_BOT_CONFIG: path,
      SLACK_BOT_TOKEN: 'xoxb-test',
      REDIS_URL: 'http://127.0.0.1:6379',
      VAULT_ROLE_ID: 'role',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('retirement-bot cannot start.');
    for (const problem of [
      'SLACK_SIGNING_SECRET: is required in HTTP mode',
      'REDIS_URL: must be a redis:// or rediss:// URL',
      'VAULT_SECRET_ID: AppRole needs both VAULT_ROLE_ID and VAULT_SECRET_ID',
      `${path}: apps.mitxonline.retirementStates: PENDING must be the first state`,
      `${path}: apps.mitxonline.environments.qa.lmsUrl: must be an http(s) URL with a scheme`,
      `${path}: apps.mitxonline.environments.qa.edxWorker.port: Too small`,
    ]) {
      expect(result.stderr).toContain(problem);
    }
  });

  it('refuses to start without Slack in production rather than becoming the sandbox', async () => {
    const result = await start({ NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SLACK_BOT_TOKEN: is required with NODE_ENV=production');
    expect(result.stdout).not.toContain('sandbox');
  });

  it('names a missing catalog file', async () => {
    const result = await start({
      RETIREMENT_BOT_CONFIG: '/nonexistent/environments.yml',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-test',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('/nonexistent/environments.yml: cannot be read (ENOENT)');
  });

  it('rejects an unknown role with the usage', async () => {
    const result = await start({}, ['serve']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: retirement-bot <role>');
  });
});
