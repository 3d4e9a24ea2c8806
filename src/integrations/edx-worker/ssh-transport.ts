import { createHash } from 'node:crypto';
import { NodeSSH } from 'node-ssh';
import { BotError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { ExecOptions, ExecResult, ExecTransport } from './exec-transport.js';
import { pinnedKeys } from './known-hosts.js';

export interface SshConnectionOptions {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  /** OpenSSH known_hosts text; the host's key must be listed, or the connection is refused. */
  knownHosts: string;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  logger: Logger;
}

/**
 * After the remote `timeout` (and its kill grace) should have ended the command, the bot stops
 * waiting: a dead connection must not hold a worker slot forever.
 */
const CLIENT_GRACE_SECONDS = 45;

function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** One SSH connection per run: key auth, the host key pinned from known_hosts, keepalives. */
export async function connectSsh(options: SshConnectionOptions): Promise<ExecTransport> {
  const { host, port, username } = options;
  const pinned = pinnedKeys(options.knownHosts, host, port);
  let refusedKey: string | undefined;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host,
      port,
      username,
      privateKey: options.privateKey,
      readyTimeout: options.readyTimeoutMs ?? 20_000,
      keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        const offered = key.toString('base64');
        if (pinned.some((entry) => entry.key === offered)) return true;
        refusedKey = fingerprint(key);
        return false;
      },
    });
  } catch (error) {
    ssh.dispose();
    throw connectError(error, options, refusedKey, pinned.length);
  }
  options.logger.debug({ host, port }, 'ssh connected');
  return new SshTransport(ssh, `${host}:${port}`);
}

function connectError(
  error: unknown,
  options: SshConnectionOptions,
  refusedKey: string | undefined,
  pinnedCount: number,
): BotError {
  const where = `${options.host}:${options.port}`;
  const message = error instanceof Error ? error.message : String(error);
  if (refusedKey) {
    return new BotError({
      code: 'ssh_host_key_mismatch',
      userMessage:
        pinnedCount === 0
          ? `The edx-worker ${where} is not in the pinned known_hosts (it offered ${refusedKey}); refusing to connect.`
          : `The edx-worker ${where} offered host key ${refusedKey}, which is not the pinned one; refusing to connect.`,
      detail: message,
    });
  }
  if (/authentication methods failed/i.test(message)) {
    return new BotError({
      code: 'ssh_auth_failed',
      userMessage: `The edx-worker ${where} refused the bot's SSH key for user ${options.username}.`,
      detail: message,
    });
  }
  return new BotError({
    code: 'ssh_unreachable',
    userMessage: `The edx-worker ${where} cannot be reached over SSH.`,
    detail: `${(error as { code?: string }).code ?? ''} ${message}`.trim(),
    retryable: true,
  });
}

class SshTransport implements ExecTransport {
  constructor(
    private readonly ssh: NodeSSH,
    private readonly where: string,
  ) {}

  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          this.ssh.dispose();
          reject(
            new BotError({
              code: 'ssh_command_timeout',
              userMessage: `A command on the edx-worker ${this.where} did not finish within ${options.timeoutSeconds} s.`,
              retryable: true,
            }),
          );
        },
        (options.timeoutSeconds + CLIENT_GRACE_SECONDS) * 1000,
      );
    });
    try {
      const input = options.stdin === undefined ? {} : { stdin: options.stdin };
      const result = await Promise.race([this.ssh.execCommand(command, input), deadline]);
      return { stdout: result.stdout, stderr: result.stderr, code: result.code, signal: result.signal };
    } catch (error) {
      if (error instanceof BotError) throw error;
      throw new BotError({
        code: 'ssh_unreachable',
        userMessage: `The SSH connection to the edx-worker ${this.where} broke while a command ran.`,
        detail: error instanceof Error ? error.message : String(error),
        retryable: true,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.ssh.dispose();
  }
}
