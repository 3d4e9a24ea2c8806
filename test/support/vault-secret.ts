import type { VaultEmulator } from '../../emulators/vault/vault-emulator.js';

/** The pipeline's credentials as Vault holds them at `secret-concourse/<path>`, with their version. */
export async function readPipelineSecret(
  vault: VaultEmulator,
  path: string,
): Promise<{ data: { id: string; secret: string; host: string }; version: number }> {
  const response = await fetch(`${vault.url}/v1/secret-concourse/data/${path}`, {
    headers: { 'X-Vault-Token': vault.rootToken },
  });
  const body = (await response.json()) as {
    data: { data: { id: string; secret: string; host: string }; metadata: { version: number } };
  };
  return { data: body.data.data, version: body.data.metadata.version };
}
