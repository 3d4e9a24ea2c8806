import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcourseEmulator } from '../../emulators/concourse/concourse-emulator.js';
import { EdxWorkerHost } from '../../emulators/edx-worker/edx-worker-host.js';
import { VaultEmulator } from '../../emulators/vault/vault-emulator.js';
import type { Catalog } from '../../src/config/catalog.js';
import { type TestCatalogOptions, testCatalog, testCatalogYaml } from './test-catalog.js';

export const CONCOURSE_USER = 'retirement-bot';
export const CONCOURSE_PASSWORD = 'concourse-password-for-tests';

/**
 * Everything a setup run talks to, on loopback: the simulated edx-worker (real sshd, Django and
 * DOT), and the Vault and Concourse emulators, plus the environment and catalog that point at them.
 */
export interface RemoteWorld {
  edx: EdxWorkerHost;
  vault: VaultEmulator;
  concourse: ConcourseEmulator;
  catalog: Catalog;
  catalogPath: string;
  /** Environment variables the bot needs to reach them (merge into loadEnv's input). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startRemoteWorld(options: TestCatalogOptions = {}): Promise<RemoteWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'rb-world-'));
  const edx = await EdxWorkerHost.start();
  const vault = await VaultEmulator.start();
  const concourse = await ConcourseEmulator.start({
    users: [
      {
        username: CONCOURSE_USER,
        password: CONCOURSE_PASSWORD,
        teams: { mitxonline: ['member'], xpro: ['member'] },
      },
    ],
  });
  const urls = {
    lmsUrl: edx.lmsUrl,
    vaultAddress: vault.url,
    concourseUrl: concourse.url,
    sshHost: edx.host,
    sshPort: edx.port,
    sshUser: edx.loginUser,
    sshAppUser: edx.appUser,
  };
  const keyPath = join(dir, 'id_ed25519');
  const knownHostsPath = join(dir, 'known_hosts');
  const catalogPath = join(dir, 'environments.yml');
  await writeFile(keyPath, edx.privateKey, { mode: 0o600 });
  await writeFile(knownHostsPath, `${edx.knownHosts}\n`);
  await writeFile(catalogPath, testCatalogYaml(urls, options));
  return {
    edx,
    vault,
    concourse,
    catalog: testCatalog(urls, options),
    catalogPath,
    env: {
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
      CONCOURSE_USERNAME: CONCOURSE_USER,
      CONCOURSE_PASSWORD,
      CONCOURSE_BUILD_POLL_MS: '50',
      SSH_PRIVATE_KEY_PATH: keyPath,
      SSH_KNOWN_HOSTS_PATH: knownHostsPath,
    },
    async stop() {
      await Promise.allSettled([edx.stop(), vault.stop(), concourse.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
