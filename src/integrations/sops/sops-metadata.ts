import { z } from 'zod';
import { BotError } from '../../errors.js';

/** One `sops.hc_vault[]` entry, as stores/stores.go's vaultkey names its fields. */
const hcVaultKeySchema = z.object({
  vault_address: z.string().min(1),
  engine_path: z.string().min(1),
  key_name: z.string().min(1),
  enc: z.string().startsWith('vault:v'),
  created_at: z.string().optional(),
});
export type HcVaultKey = z.infer<typeof hcVaultKeySchema>;

const optionalText = z.string().optional();

/**
 * The `sops:` block (stores/stores.go metadata). Master keys other than hc_vault and pgp are
 * kept as they are: the codec never rewrites them.
 */
const metadataSchema = z.looseObject({
  lastmodified: z.string(),
  mac: optionalText,
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  hc_vault: z.array(hcVaultKeySchema).optional(),
  pgp: z.array(z.looseObject({ fp: z.string(), enc: z.string() })).optional(),
  key_groups: z.array(z.unknown()).optional(),
  unencrypted_suffix: optionalText,
  encrypted_suffix: optionalText,
  unencrypted_regex: optionalText,
  encrypted_regex: optionalText,
  unencrypted_comment_regex: optionalText,
  encrypted_comment_regex: optionalText,
  mac_only_encrypted: z.boolean().optional(),
});
export type SopsMetadata = z.infer<typeof metadataSchema>;

export function parseMetadata(raw: unknown): SopsMetadata {
  const parsed = metadataSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new BotError({
    code: 'sops_metadata_invalid',
    userMessage: 'The `sops:` block of the sops file is not what sops writes.',
    detail: issues.slice(0, 5).join('; '),
  });
}

/** Which leaves sops encrypts: Tree.shouldBeEncrypted in sops.go, over the key path. */
export interface EncryptionRules {
  encrypts(path: readonly string[]): boolean;
  macOnlyEncrypted: boolean;
}

/**
 * metadata.ToInternal allows one rule at most and defaults to `unencrypted_suffix: _unencrypted`.
 * The comment rules depend on where go-yaml attaches each comment, which this codec does not
 * reproduce, so files using them are refused rather than given a MAC sops would reject.
 */
export function encryptionRules(metadata: SopsMetadata): EncryptionRules {
  if (metadata.unencrypted_comment_regex || metadata.encrypted_comment_regex) {
    throw new BotError({
      code: 'sops_unsupported',
      userMessage:
        'The sops file uses `unencrypted_comment_regex` or `encrypted_comment_regex`, which the bot cannot edit safely.',
    });
  }
  const rules = [
    metadata.unencrypted_suffix,
    metadata.encrypted_suffix,
    metadata.unencrypted_regex,
    metadata.encrypted_regex,
  ].filter(Boolean);
  if (rules.length > 1) {
    throw new BotError({
      code: 'sops_metadata_invalid',
      userMessage: 'The sops file sets more than one of the encrypted/unencrypted suffix and regex rules.',
    });
  }
  const macOnlyEncrypted = metadata.mac_only_encrypted === true;
  const { encrypted_suffix: encSuffix, unencrypted_regex: clearRegex, encrypted_regex: encRegex } = metadata;
  if (encSuffix) return { macOnlyEncrypted, encrypts: (path) => path.some((key) => key.endsWith(encSuffix)) };
  if (clearRegex) {
    const pattern = compile(clearRegex, 'unencrypted_regex');
    return { macOnlyEncrypted, encrypts: (path) => !path.some((key) => pattern.test(key)) };
  }
  if (encRegex) {
    const pattern = compile(encRegex, 'encrypted_regex');
    return { macOnlyEncrypted, encrypts: (path) => path.some((key) => pattern.test(key)) };
  }
  const clearSuffix = metadata.unencrypted_suffix || '_unencrypted';
  return { macOnlyEncrypted, encrypts: (path) => !path.some((key) => key.endsWith(clearSuffix)) };
}

/** Go's regexp.Match searches without anchors, as RegExp.test does. */
function compile(source: string, field: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw new BotError({
      code: 'sops_unsupported',
      userMessage: `The sops file's \`${field}\` is not a regular expression the bot can evaluate.`,
    });
  }
}
