import { EdxWorkerHost } from '../../emulators/edx-worker/edx-worker-host.js';
import type { Target } from '../config/catalog.js';
import { BotError } from '../errors.js';

/** A pair as the sandbox serves it: the target as rewritten to reach it, and the SSH keys if over SSH. */
export interface LmsEndpoint {
  target: Target;
  sshKeys(): Promise<{ privateKey: string; knownHosts: string }>;
}

/**
 * One simulated edx-worker (sshd + Django LMS) per (app, env), started the first time a run
 * needs it, configured with that pair's retirement states and worker username like the real LMS.
 */
export class SimulatedEdxWorkers {
  private readonly hosts = new Map<string, Promise<EdxWorkerHost>>();

  constructor(private readonly available: boolean) {}

  host(target: Target): Promise<EdxWorkerHost> {
    if (!this.available) {
      return Promise.reject(
        new BotError({
          code: 'sandbox_edx_worker_unavailable',
          userMessage:
            'The simulated edx-worker needs root, OpenSSH and Debian python3-django/python3-django-oauth-toolkit on this machine; run scripts/ensure-setup.sh as root.',
        }),
      );
    }
    const key = `${target.app}/${target.env}`;
    let host = this.hosts.get(key);
    if (!host) {
      host = EdxWorkerHost.start({
        retirementStates: target.retirementStates,
        workerUsername: target.workerUsername,
      });
      host.catch(() => this.hosts.delete(key));
      this.hosts.set(key, host);
    }
    return host;
  }

  /** The pair's LMS web server, if its host has started, for the LMS token proxy. */
  lmsUrl(app: string, env: string): Promise<string> | undefined {
    return this.hosts.get(`${app}/${env}`)?.then((host) => host.lmsUrl);
  }

  /** Where the pair's simulated edx-worker listens and the keys that reach it. */
  async endpoint(target: Extract<Target, { transport: 'ssh' }>): Promise<LmsEndpoint> {
    const host = await this.host(target);
    return {
      target: {
        ...target,
        edxWorker: {
          ...target.edxWorker,
          host: host.host,
          port: host.port,
          user: host.loginUser,
          appUser: host.appUser,
        },
      },
      sshKeys: async () => ({ privateKey: host.privateKey, knownHosts: host.knownHosts }),
    };
  }

  async stop(): Promise<void> {
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.allSettled(hosts.map(async (host) => (await host).stop()));
  }
}
