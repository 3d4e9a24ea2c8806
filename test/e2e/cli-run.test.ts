import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker } from '../../emulators/edx-worker/edx-worker-host.js';
import { deleteKeys, uniquePrefix } from '../support/redis.js';
import { type RemoteWorld, startRemoteWorld } from '../support/remote-world.js';

/** `retirement-bot run …` as an operator types it, against the same simulated world as the bot. */
const ROOT = resolve(import.meta.dirname, '../..');
const prefix = uniquePrefix('cli');
let world: RemoteWorld;

beforeAll(async () => {
  if (canHostEdxWorker()) world = await startRemoteWorld();
}, 120_000);
afterAll(async () => {
  await world?.stop();
  await deleteKeys(prefix);
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...world.env,
    REDIS_PREFIX: prefix,
    RETIREMENT_BOT_CONFIG: world.catalogPath,
  };
  delete env.SLACK_BOT_TOKEN;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', 'run', ...args],
      {
        cwd: ROOT,
        env,
        timeout: 120_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.skipIf(!canHostEdxWorker())('retirement-bot run', () => {
  it('refuses a production setup without an approval, changing nothing', async () => {
    const result = await cli('setup', 'mitxonline', 'production');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Approval needed for the lms phase; re-run with --yes');
    expect(await world.edx.user('retirement_service_worker')).toBeUndefined();
  }, 120_000);

  it('sets up a production pair with --yes, showing each step, then reports its status', async () => {
    const result = await cli('setup', 'mitxonline', 'production', '--yes');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✓ 9. Concourse: trigger and follow the first build');
    expect(result.stdout).toMatch(/setup mitxonline production \[r[0-9a-z]{10}\]: succeeded/);
    expect(await world.edx.applications()).toHaveLength(1);

    const status = await cli('status', 'mitxonline', 'production');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('misc-cloud-tubular (');
    expect(status.stdout).toContain('is active');
    expect(status.stdout).toMatch(/build deploy-tubular-world #1 \(http\S+\): succeeded/);
  }, 120_000);

  it('explains bad arguments with exit 2', async () => {
    const result = await cli('setup', 'mitxonline', 'staging');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown environment');
  }, 60_000);
});
