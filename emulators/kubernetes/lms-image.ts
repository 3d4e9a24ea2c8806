import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { EdxWorkerFault } from '../edx-worker/edx-worker-host.js';
import { waitForPort } from '../edx-worker/edx-worker-processes.js';
import { freePort } from '../loopback-server.js';
import type { EmulatedContainer } from './api-objects.js';

const run = promisify(execFile);
const PLATFORM_SOURCE = resolve(import.meta.dirname, '../edx-worker/edx-platform');
const PYTHON = '/usr/bin/python3';

export interface LmsImageOptions {
  retirementStates: string[];
  workerUsername: string;
}

let runnable: boolean | undefined;

/** True when Debian's Django and django-oauth-toolkit are installed (no root or sshd needed here). */
export function canRunLmsImage(): boolean {
  runnable ??= spawnSync(PYTHON, ['-c', 'import django, oauth2_provider']).status === 0;
  return runnable;
}

/**
 * The simulated edx-platform (emulators/edx-worker) laid out like the LMS image: the project in
 * `edx-platform` as the working directory, `python` on the PATH, DJANGO_SETTINGS_MODULE set in the
 * container's environment rather than by an `edxapp_env` script, so exec needs no login shell.
 */
export class LmsImage {
  private web: ChildProcess | undefined;

  private constructor(
    private readonly home: string,
    private readonly options: LmsImageOptions,
  ) {}

  static async prepare(options: LmsImageOptions): Promise<LmsImage> {
    const image = new LmsImage(await mkdtemp(join(tmpdir(), 'lms-image-')), options);
    try {
      await cp(PLATFORM_SOURCE, join(image.home, 'edx-platform'), { recursive: true });
      await mkdir(join(image.home, 'bin'));
      await symlink(PYTHON, join(image.home, 'bin/python'));
      const { workingDir, env } = image.container('setup');
      await run('python', ['manage.py', 'lms', 'migrate', '--run-syncdb', '-v0'], { cwd: workingDir, env });
      return image;
    } catch (error) {
      await image.remove();
      throw error;
    }
  }

  container(name: string): EmulatedContainer & { workingDir: string; env: Record<string, string> } {
    return {
      name,
      workingDir: join(this.home, 'edx-platform'),
      env: {
        HOME: this.home,
        PATH: `${join(this.home, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
        DJANGO_SETTINGS_MODULE: 'lms.envs.simulated',
        SIMULATED_RETIREMENT_STATES: JSON.stringify(this.options.retirementStates),
        SIMULATED_WORKER_USERNAME: this.options.workerUsername,
      },
    };
  }

  /**
   * The LMS's web server on the same database, as the pods' Service would expose it: what the bot
   * checks the credentials against (`/oauth2/access_token`). Returns its address.
   */
  async serve(): Promise<string> {
    const port = await freePort();
    const { workingDir, env } = this.container('web');
    this.web = spawn('python', ['manage.py', 'lms', 'runserver', `127.0.0.1:${port}`, '--noreload'], {
      cwd: workingDir,
      env,
      stdio: 'ignore',
    });
    await waitForPort(port, 30_000);
    return `http://127.0.0.1:${port}`;
  }

  /** The OAuth applications in the LMS's database, read past any fault. */
  async applications(): Promise<{ user: string; clientId: string }[]> {
    const { workingDir, env } = this.container('query');
    const { stdout } = await run('python', ['sim_query.py', 'applications'], {
      cwd: workingDir,
      env: { ...env, SIMULATOR_BYPASS_FAULTS: '1' },
    });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]');
  }

  /** Deletes the OAuth application with this client id, as an admin would in Django admin. */
  async deleteApplication(clientId: string): Promise<void> {
    const { workingDir, env } = this.container('query');
    await run('python', ['sim_query.py', 'delete-application', clientId], {
      cwd: workingDir,
      env: { ...env, SIMULATOR_BYPASS_FAULTS: '1' },
    });
  }

  async setFault(fault: EdxWorkerFault | null): Promise<void> {
    const file = join(this.home, '.simulator-fault');
    if (fault) await writeFile(file, fault);
    else await rm(file, { force: true });
  }

  async remove(): Promise<void> {
    this.web?.kill('SIGTERM');
    await rm(this.home, { recursive: true, force: true });
  }
}
