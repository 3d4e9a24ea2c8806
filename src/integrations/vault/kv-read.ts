import { z } from 'zod';
import { BotError } from '../../errors.js';
import { vaultError } from './vault-errors.js';

/** An authenticated GET on a Vault path (node-vault rejects any answer but 200 and 204). */
export interface VaultReader {
  readonly address: string;
  read(path: string): Promise<unknown>;
}

export type KvRead =
  | { state: 'present'; data: Record<string, unknown>; version?: number }
  /**
   * `currentVersion` is what KV v2 check-and-set compares with, when Vault named it: deleted,
   * destroyed and expired versions count, though they read as absent.
   */
  | { state: 'absent'; currentVersion?: number };

/*
 * Answers limited to the fields the bot reads. `data` is null when the version was soft-deleted,
 * destroyed or outlived delete_version_after; Vault then answers 404, with this same body
 * (vault-plugin-secrets-kv path_data.go, pathDataRead).
 */
const kvV1Answer = z.object({ data: z.record(z.string(), z.unknown()) });
const kvV2Answer = z.object({
  data: z.object({
    data: z.record(z.string(), z.unknown()).nullable(),
    metadata: z.object({ version: z.number().int().nonnegative() }),
  }),
});
/** path_metadata.go, pathMetadataRead. */
const metadataAnswer = z.object({ data: z.object({ current_version: z.number().int().nonnegative() }) });

export async function readKv(vault: VaultReader, dataPath: string, kvVersion: 1 | 2): Promise<KvRead> {
  let answer: unknown;
  try {
    answer = await vault.read(dataPath);
  } catch (error) {
    const response = (error as { response?: { statusCode?: number; body?: unknown } }).response;
    if (response?.statusCode !== 404) throw vaultError(error, `reading ${dataPath}`, vault.address);
    const deleted = kvVersion === 2 ? kvV2Answer.safeParse(response.body) : undefined;
    return deleted?.success
      ? { state: 'absent', currentVersion: deleted.data.data.metadata.version }
      : { state: 'absent' };
  }
  if (kvVersion === 1) return { state: 'present', data: parse(kvV1Answer, answer, dataPath).data };
  const { data, metadata } = parse(kvV2Answer, answer, dataPath).data;
  return data
    ? { state: 'present', data, version: metadata.version }
    : { state: 'absent', currentVersion: metadata.version };
}

/**
 * The version a KV v2 write's check-and-set must name. Vault puts it in every 404 for a deleted
 * version; a 404 without it is a key with no versions, unless something on the way dropped the
 * body, which metadata/ settles. A token allowed only data/ (what checkAccess asks for) gets 403
 * there, and then the plain 404 is taken at its word.
 */
export async function casVersion(vault: VaultReader, metadataPath: string, current: KvRead): Promise<number> {
  if (current.state === 'present') return current.version ?? 0;
  if (current.currentVersion !== undefined) return current.currentVersion;
  try {
    return parse(metadataAnswer, await vault.read(metadataPath), metadataPath).data.current_version;
  } catch (error) {
    if (error instanceof BotError) throw error;
    const status = (error as { response?: { statusCode?: number } }).response?.statusCode;
    if (status === 404 || status === 403) return 0;
    throw vaultError(error, `reading ${metadataPath}`, vault.address);
  }
}

/** The detail names where the answer differs from the schema, never a value: answers hold secrets. */
function parse<T>(schema: z.ZodType<T>, answer: unknown, path: string): T {
  const result = schema.safeParse(answer);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new BotError({
    code: 'vault_unexpected_answer',
    userMessage: `Vault answered reading ${path} with something the bot does not understand.`,
    detail: `${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message ?? 'does not match'}`,
  });
}
