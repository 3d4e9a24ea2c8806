import { NodeSSH } from 'node-ssh';
import type { EdxWorkerHost } from '../../../emulators/edx-worker/edx-worker-host.js';
import { manageCommand } from '../../../src/integrations/edx-worker/remote-command.js';

export interface SshRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * A plain node-ssh session as the host's login user, outside the bot's transport: these tests
 * drive the LMS commands by hand and need stdin, which the transport does not offer.
 */
export async function sshAsLoginUser(host: EdxWorkerHost) {
  const ssh = new NodeSSH();
  await ssh.connect({
    host: host.host,
    port: host.port,
    username: host.loginUser,
    privateKey: host.privateKey,
    readyTimeout: 5_000,
    hostVerifier: (key: Buffer) => host.knownHosts.includes(key.toString('base64')),
  });
  return {
    run: async (command: string, stdin?: string): Promise<SshRun> => {
      const result = await ssh.execCommand(command, stdin === undefined ? {} : { stdin });
      return { stdout: result.stdout, stderr: result.stderr, code: result.code };
    },
    manage: async (args: string[]): Promise<SshRun> => {
      const result = await ssh.execCommand(manageCommand(host.appUser, args, 60));
      return { stdout: result.stdout, stderr: result.stderr, code: result.code };
    },
    close: () => ssh.dispose(),
  };
}

/** The worker user as the runbook makes it, so that create_dot_application has someone to attach to. */
export async function makeWorker(ssh: Awaited<ReturnType<typeof sshAsLoginUser>>, username: string) {
  const made = await ssh.manage([
    'manage_user',
    username,
    `${username}@example.com`,
    '--staff',
    '--superuser',
  ]);
  if (made.code !== 0) throw new Error(`manage_user failed: ${made.stderr}`);
}

/** HTTP Basic client authentication, the other path DOT checks (verifyClientCredentials uses the body). */
export async function basicAuthTokenStatus(
  lmsUrl: string,
  clientId: string,
  secret: string,
): Promise<number> {
  const credentials = `${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`;
  const response = await fetch(`${lmsUrl}/oauth2/access_token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  await response.text();
  return response.status;
}
