import { BotError } from '../../errors.js';
import { parseSopsYaml } from './sops-document.js';
import type { HcVaultKey } from './sops-metadata.js';
import type { VaultTransit } from './vault-transit.js';

const DATA_KEY_BYTES = 32;

/**
 * The file's `sops.hc_vault` entries. With `key_groups` the data key is split by Shamir's scheme
 * and one Vault key unwraps only a share, so such files are refused.
 */
export function readHcVaultKeys(text: string): HcVaultKey[] {
  const { metadata } = parseSopsYaml(text);
  if (metadata.key_groups?.length) {
    throw new BotError({
      code: 'sops_unsupported',
      userMessage: 'The sops file uses key groups (Shamir secret sharing), which the bot does not unwrap.',
    });
  }
  return metadata.hc_vault ?? [];
}

/**
 * MasterKey.Decrypt in hcvault/keysource.go, for each `hc_vault` entry in file order until one
 * answers: the `vault:v…` ciphertext goes to `<engine_path>/decrypt/<key_name>` and the base64
 * plaintext is the 32-byte data key. When all fail, the first entry's error is the one reported.
 */
export async function unwrapDataKey(text: string, transit: VaultTransit): Promise<Buffer> {
  const keys = readHcVaultKeys(text);
  if (keys.length === 0) {
    throw new BotError({
      code: 'sops_no_hc_vault',
      userMessage:
        'The sops file has no `sops.hc_vault` entry, so the bot cannot unwrap its data key with Vault.',
    });
  }
  const errors: unknown[] = [];
  for (const key of keys) {
    try {
      const plaintext = await transit.decrypt(key.vault_address, key.engine_path, key.key_name, key.enc);
      const dataKey = Buffer.from(plaintext, 'base64');
      if (dataKey.length === DATA_KEY_BYTES) return dataKey;
      errors.push(
        new BotError({
          code: 'sops_data_key_invalid',
          userMessage: `Vault at ${key.vault_address} unwrapped a data key of the wrong length for sops.`,
          detail: `${dataKey.length} bytes`,
        }),
      );
    } catch (error) {
      errors.push(error);
    }
  }
  throw errors[0];
}
