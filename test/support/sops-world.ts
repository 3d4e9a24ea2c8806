import { randomBytes } from 'node:crypto';
import { GitHubEmulator } from '../../emulators/github/github-emulator.js';
import type { VaultEmulator } from '../../emulators/vault/vault-emulator.js';
import { mitLayout } from '../integration/sops/mit-layout.js';

export const SOPS_REPO = 'mitodl/ol-infrastructure';

export function operationsFile(env: string): string {
  return `src/bridge/secrets/concourse/operations.${env}.yaml`;
}

/** A Vault token that may unwrap MIT's sops data key, and nothing else. */
export const SOPS_DECRYPT_RULES = [
  { path: 'infrastructure/decrypt/sops', capabilities: ['update' as const] },
];

export interface SopsWorld {
  github: GitHubEmulator;
  dataKey: Buffer;
  /** The operations file as first committed, per environment. */
  files: Record<string, string>;
}

/**
 * mitodl/ol-infrastructure in a GitHub emulator: MIT's operations file per environment (its
 * layout, made-up values), sealed with one data key that `vault`'s transit engine wraps at
 * `infrastructure/keys/sops`, as MIT's .sops.yaml does.
 */
export async function startSopsWorld(vault: VaultEmulator, envs: readonly string[]): Promise<SopsWorld> {
  vault.createTransitKey('infrastructure', 'sops');
  const dataKey = randomBytes(32);
  const response = await fetch(`${vault.url}/v1/infrastructure/encrypt/sops`, {
    method: 'POST',
    headers: { 'x-vault-token': vault.rootToken },
    body: JSON.stringify({ plaintext: dataKey.toString('base64') }),
  });
  const { data } = (await response.json()) as { data: { ciphertext: string } };
  const files = Object.fromEntries(
    envs.map((env) => [env, mitLayout(dataKey, data.ciphertext, vault.url).text]),
  );
  const github = await GitHubEmulator.start();
  github.createRepo(
    SOPS_REPO,
    'main',
    Object.fromEntries(envs.map((env) => [operationsFile(env), files[env] as string])),
  );
  return { github, dataKey, files };
}
