import { BotError } from '../../errors.js';
import { secretPath } from '../../integrations/vault/credential-store.js';
import type { SetupStep } from './setup-step.js';
import { proposedPullNumber, sopsRecordOf, waitOrPark } from './sops-record.js';

/**
 * Waits until Vault holds what the merged file holds, as Pulumi writes it: the values are read
 * back by decrypting the file at the merge (never from Redis) and compared field by field by
 * SHA-256 digest, so neither side's secret is shown or logged.
 */
export const vaultHoldsStep: SetupStep = {
  id: 'vault-holds',
  title: 'Vault holds the merged credentials',
  phase: 'credentials',
  async apply(context, services) {
    const { target, run } = context;
    const record = sopsRecordOf(target);
    const number = proposedPullNumber(run);
    const merge = number ? (await services.secretsOfRecord.pull(record, number)).merge_commit_sha : undefined;
    const ref = merge ?? record.sops.base;
    const expected = await services.secretsOfRecord.valuesAt(record, ref);
    if (!expected) {
      throw new BotError({
        code: 'sops_entry_missing',
        userMessage: `\`${record.sops.file}\` at \`${ref.slice(0, 12)}\` has no \`pipelines.${record.sops.key}\`; run setup again.`,
      });
    }
    services.protectSecret(expected.secret);
    const inspection = await services.credentials.inspect(target, expected);
    if (inspection.state === 'present') {
      services.memory.credentials = expected;
      return {
        summary: `Vault holds the merged credentials of client id \`${expected.id}\` at \`${inspection.path}\` (compared by digest).`,
      };
    }
    const differs =
      inspection.state === 'different' ? ` (${inspection.differingFields.join(', ')} differ)` : '';
    return waitOrPark(
      context,
      services,
      `Waiting for Pulumi to write the merged credentials to Vault at \`${target.vault.mount}/${secretPath(target)}\`${differs}`,
      new BotError({
        code: 'secrets_vault_not_updated',
        userMessage: `Vault still does not hold the merged credentials at \`${target.vault.mount}/${secretPath(target)}\`; check the Pulumi deployment of the Concourse stack, then retry.`,
      }),
    );
  },
  async preview({ target }) {
    return {
      changes: false,
      summary: `Would wait until Vault holds the merged credentials at \`${target.vault.mount}/${secretPath(target)}\`.`,
    };
  },
};
