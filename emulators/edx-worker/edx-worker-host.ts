import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../loopback-server.js';
import { type EdxWorkerFault, type EdxWorkerModes, writeFault, writeModes } from './edx-worker-modes.js';
import { sshdConfig, waitForPort } from './edx-worker-processes.js';

export type { EdxWorkerFault, EdxWorkerModes } from './edx-worker-modes.js';

/**
 * A simulated edx-worker on loopback, as real as this machine allows: Debian's OpenSSH with its
 * own host key and an authorised client key, a login user with passwordless sudo, an app user
 * (the "edxapp" account) whose home holds `edxapp_env` and an `edx-platform/manage.py` backed by
 * Debian's Django and django-oauth-toolkit 1.7 (the version edx-platform pins), with the three
 * retirement commands behaving as domain.md B describes and DOT's real token view serving
 * /oauth2/access_token behind Open edX's rate limit. Each instance has its own users, so test
 * files can run side by side.
 */
const run = promisify(execFile);
const PLATFORM_SOURCE = resolve(import.meta.dirname, 'edx-platform');
const PYTHON = '/usr/bin/python3';
/** The tubular pipeline's retirement states: what a simulated LMS is configured with unless told otherwise. */
export const DEFAULT_STATES = [
  'PENDING',
  'RETIRING_FORUMS',
  'FORUMS_COMPLETE',
  'RETIRING_ENROLLMENTS',
  'ENROLLMENTS_COMPLETE',
  'RETIRING_NOTES',
  'NOTES_COMPLETE',
  'RETIRING_LMS_MISC',
  'LMS_MISC_COMPLETE',
  'RETIRING_LMS',
  'LMS_COMPLETE',
  'ERRORED',
  'ABORTED',
  'COMPLETE',
];

export interface EdxWorkerHostOptions {
  retirementStates?: string[];
  workerUsername?: string;
  /** The LMS's RATELIMIT_RATE on /oauth2/access_token, e.g. `3/m`; unlimited when absent. */
  tokenRateLimit?: string;
}

export interface SimulatedApplication {
  id: number;
  name: string;
  clientId: string;
  user: string;
  grantType: string;
  /** DOT's auto_now timestamp: it moves whenever the application is saved, even unchanged. */
  updated: string;
}

let hostable: boolean | undefined;

/** True when this machine can host it: root, sshd, sudo, and Debian's Django with DOT. */
export function canHostEdxWorker(): boolean {
  hostable ??=
    process.getuid?.() === 0 &&
    existsSync('/usr/sbin/sshd') &&
    existsSync('/usr/bin/sudo') &&
    spawnSync(PYTHON, ['-c', 'import django, oauth2_provider']).status === 0;
  return hostable;
}

export class EdxWorkerHost {
  readonly host = '127.0.0.1';
  port = 0;
  lmsUrl = '';
  privateKey = '';
  knownHosts = '';
  hostKeyFingerprint = '';
  readonly loginUser: string;
  readonly appUser: string;
  private readonly home: string;
  private dir = '';
  private sshd: ChildProcess | undefined;
  private lms: ChildProcess | undefined;

  private constructor(private readonly options: Required<EdxWorkerHostOptions>) {
    const suffix = randomBytes(3).toString('hex');
    this.loginUser = `rb-login-${suffix}`;
    this.appUser = `edxapp-${suffix}`;
    this.home = `/home/${this.appUser}`;
  }

  static async start(options: EdxWorkerHostOptions = {}): Promise<EdxWorkerHost> {
    if (!canHostEdxWorker())
      throw new Error('this machine cannot host the simulated edx-worker (needs root, sshd, Django)');
    const host = new EdxWorkerHost({
      retirementStates: options.retirementStates ?? DEFAULT_STATES,
      workerUsername: options.workerUsername ?? 'retirement_service_worker',
      tokenRateLimit: options.tokenRateLimit ?? '',
    });
    try {
      await host.provision();
      return host;
    } catch (error) {
      await host.stop();
      throw error;
    }
  }

  private async provision(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'edx-worker-'));
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, 'host_key')]);
    await run('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'retirement-bot-test',
      '-f',
      join(this.dir, 'client_key'),
    ]);
    // sshd reads authorized_keys as the logging-in user, so the directory and file must be readable to it.
    await chmod(this.dir, 0o755);
    await writeFile(join(this.dir, 'authorized_keys'), await readFile(join(this.dir, 'client_key.pub')), {
      mode: 0o644,
    });
    this.privateKey = await readFile(join(this.dir, 'client_key'), 'utf8');

    // `*` rather than useradd's locked `!`: without PAM, sshd refuses key logins to locked accounts.
    await run('useradd', ['-m', '-s', '/bin/bash', '-p', '*', this.loginUser]);
    await run('useradd', ['-m', '-s', '/bin/bash', this.appUser]);
    await writeFile(`/etc/sudoers.d/${this.loginUser}`, `${this.loginUser} ALL=(ALL) NOPASSWD: ALL\n`, {
      mode: 0o440,
    });
    await this.installPlatform();
    await this.asApp('python edx-platform/manage.py lms migrate --run-syncdb -v0');

    this.port = await freePort();
    const hostKeyPub = (await readFile(join(this.dir, 'host_key.pub'), 'utf8'))
      .trim()
      .split(' ')
      .slice(0, 2)
      .join(' ');
    this.knownHosts = `[127.0.0.1]:${this.port} ${hostKeyPub}`;
    const { stdout } = await run('ssh-keygen', ['-lf', join(this.dir, 'host_key.pub')]);
    this.hostKeyFingerprint = stdout.split(' ')[1] ?? '';
    await writeFile(join(this.dir, 'sshd_config'), sshdConfig(this.dir, this.port));
    this.sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(this.dir, 'sshd_config')], {
      stdio: 'ignore',
    });
    await waitForPort(this.port);

    const lmsPort = await freePort();
    this.lms = spawn(
      'su',
      [
        '-',
        this.appUser,
        '-s',
        '/bin/bash',
        '-c',
        `source edxapp_env && exec python edx-platform/manage.py lms runserver 127.0.0.1:${lmsPort} --noreload`,
      ],
      { stdio: 'ignore', detached: true },
    );
    this.lmsUrl = `http://127.0.0.1:${lmsPort}`;
    await waitForPort(lmsPort, 30_000);
  }

  private async installPlatform(): Promise<void> {
    await cp(PLATFORM_SOURCE, join(this.home, 'edx-platform'), { recursive: true });
    await mkdir(join(this.home, 'venvs/edxapp/bin'), { recursive: true });
    await symlink(PYTHON, join(this.home, 'venvs/edxapp/bin/python'));
    const env = [
      '# edxapp_env of the simulated edx-worker',
      `export PATH="$HOME/venvs/edxapp/bin:$PATH"`,
      'export DJANGO_SETTINGS_MODULE=lms.envs.simulated',
      `export SIMULATED_RETIREMENT_STATES='${JSON.stringify(this.options.retirementStates)}'`,
      `export SIMULATED_WORKER_USERNAME='${this.options.workerUsername}'`,
      `export SIMULATED_RATELIMIT_RATE='${this.options.tokenRateLimit}'`,
      '',
    ].join('\n');
    await writeFile(join(this.home, 'edxapp_env'), env);
    await run('chown', ['-R', `${this.appUser}:${this.appUser}`, this.home]);
  }

  private async asApp(script: string, extraEnv = ''): Promise<string> {
    const { stdout } = await run(
      'su',
      ['-', this.appUser, '-s', '/bin/bash', '-c', `source edxapp_env && ${extraEnv}${script}`],
      {
        maxBuffer: 10_000_000,
      },
    );
    return stdout;
  }

  private async query(...args: string[]): Promise<unknown> {
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const out = await this.asApp(
      `cd edx-platform && python sim_query.py ${quoted}`,
      'SIMULATOR_BYPASS_FAULTS=1 ',
    );
    return JSON.parse(out.trim().split('\n').at(-1) ?? 'null');
  }

  async setFault(fault: EdxWorkerFault | null): Promise<void> {
    await writeFault(this.home, fault);
  }

  /** Replaces the modes as a whole: a mode left out is off. `setModes({})` is the DOT 1.7 default. */
  async setModes(modes: EdxWorkerModes): Promise<void> {
    await writeModes(this.home, modes);
  }

  /**
   * Whether the client secret stored for `clientId` is a Django password hash (the value itself is
   * never read back); undefined when no application has that client_id.
   */
  async storedSecretIsHashed(clientId: string): Promise<boolean | undefined> {
    return ((await this.query('secret-is-hashed', clientId)) ?? undefined) as boolean | undefined;
  }

  async applications(): Promise<SimulatedApplication[]> {
    return (await this.query('applications')) as SimulatedApplication[];
  }

  async user(
    username: string,
  ): Promise<{ isStaff: boolean; isSuperuser: boolean; email: string } | undefined> {
    return ((await this.query('user', username)) ?? undefined) as
      | { isStaff: boolean; isSuperuser: boolean; email: string }
      | undefined;
  }

  /** An application made outside the bot (in Django admin, say), with any grant type. */
  async addApplication(
    username: string,
    name: string,
    grantType: string,
  ): Promise<{ clientId: string; clientSecret: string }> {
    return (await this.query('add-application', username, name, grantType)) as {
      clientId: string;
      clientSecret: string;
    };
  }

  async retirementStates(): Promise<string[]> {
    return (await this.query('states')) as string[];
  }

  async addUserInRetirement(username: string, state: string): Promise<void> {
    await this.query('add-user-in-retirement', username, state);
  }

  async stop(): Promise<void> {
    this.sshd?.kill('SIGTERM');
    if (this.lms?.pid) {
      try {
        process.kill(-this.lms.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    for (const user of [this.loginUser, this.appUser]) {
      await run('pkill', ['-KILL', '-u', user]).catch(() => undefined);
      await run('userdel', ['-r', '-f', user]).catch(() => undefined);
    }
    await rm(`/etc/sudoers.d/${this.loginUser}`, { force: true });
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
