import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { type BotHarness, SIGNING_SECRET } from './bot-harness.js';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * A `retirement-bot worker` process sharing the harness's Redis prefix and Slack emulator, with a
 * short BullMQ lock so a killed worker's run is picked up within seconds. `output`, when given,
 * collects what the process prints (for secret scans).
 */
export function spawnWorker(
  harness: BotHarness,
  options: { env: Record<string, string>; catalogPath: string; output?: string[] },
): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...options.env,
      SLACK_BOT_TOKEN: harness.slack.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: harness.slack.apiUrl,
      REDIS_PREFIX: harness.prefix,
      RETIREMENT_BOT_CONFIG: options.catalogPath,
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      LOG_LEVEL: 'debug',
      PORT: '0',
      WORKER_HEALTH_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => options.output?.push(chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return child;
}

/** SIGKILL: the process gets no chance to clean up, as in a crash. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
