import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../../emulators/slack/slack-emulator.js';
import { deleteKeys, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait-for.js';

/** A production process must not carry the sandbox or the emulators: they are test doubles. */
const ROOT = resolve(import.meta.dirname, '../..');
const prefix = uniquePrefix('modules');
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await deleteKeys(prefix);
});

async function loadedModules(role: 'start' | 'web' | 'worker'): Promise<string[]> {
  const slack = new SlackEmulator();
  await slack.start();
  const trace = join(mkdtempSync(join(tmpdir(), 'rb-modules-')), 'modules.txt');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './test/support/module-trace.mjs', 'src/main.ts', role],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        MODULE_TRACE_FILE: trace,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: 'modules-test-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        WORKER_HEALTH_PORT: '0',
        HOST: '127.0.0.1',
        REDIS_PREFIX: prefix,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  try {
    await waitFor(() => output.includes('retirement-bot started'), { timeoutMs: 30_000 });
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    await slack.stop();
  }
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}

describe('a production process', () => {
  it.each(['start', 'worker'] as const)(
    'in the %s role loads no emulator and no sandbox module',
    async (role) => {
      const modules = await loadedModules(role);
      expect(modules.some((url) => url.endsWith('/src/app/create-bot.ts'))).toBe(true);
      expect(modules.filter((url) => url.includes('/emulators/'))).toEqual([]);
      expect(modules.filter((url) => url.includes('/src/sandbox/'))).toEqual([]);
    },
    60_000,
  );
});
