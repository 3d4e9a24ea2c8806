import { BotError } from '../../errors.js';
import { decryptSopsYaml } from '../sops/sops-decrypt.js';
import type { OAuthClientCredentials } from '../vault/credential-store.js';

export const CREDENTIAL_FIELDS = ['id', 'secret', 'host'] as const;

/**
 * The `{id, secret, host}` under `pipelines.<key>` of a decrypted sops file, or undefined when the
 * file has no such key. Anything else there (a partial entry, a non-string) is reported.
 */
export function credentialsInSops(
  text: string,
  dataKey: Buffer,
  key: string,
): OAuthClientCredentials | undefined {
  const { values } = decryptSopsYaml(text, dataKey);
  const pipelines = values.pipelines;
  if (pipelines === undefined) return undefined;
  const entry =
    typeof pipelines === 'object' && pipelines !== null && !Array.isArray(pipelines)
      ? pipelines[key]
      : undefined;
  if (entry === undefined) return undefined;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw malformed(key);
  const fields = CREDENTIAL_FIELDS.map((field) => entry[field]);
  if (fields.every((value) => value === undefined)) return undefined;
  if (!fields.every((value): value is string => typeof value === 'string')) throw malformed(key);
  const [id, secret, host] = fields as [string, string, string];
  return { id, secret, host };
}

function malformed(key: string): BotError {
  return new BotError({
    code: 'sops_entry_malformed',
    userMessage: `The sops file's \`pipelines.${key}\` is not an {id, secret, host} of strings; fix it by hand first.`,
  });
}
