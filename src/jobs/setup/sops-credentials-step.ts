import type { Target } from '../../config/catalog.js';
import type { OAuthClientCredentials } from '../../integrations/vault/credential-store.js';
import { clientIdWording, decideCredentials, newCredentials } from './credentials-decision.js';
import type { SetupServices } from './setup-services.js';
import type { SetupStep } from './setup-step.js';
import { pullLink, pullRequestContext, sopsRecordOf } from './sops-record.js';

/**
 * The credentials, recorded the runbook's way: new ones are proposed as a change to the sops file
 * of record in a pull request, and Pulumi writes them to Vault after the merge. The secret lives
 * only in this process's memory and in the encrypted file: a resumed run reads it back from there.
 */
export const sopsCredentialsStep: SetupStep = {
  id: 'credentials',
  title: 'Credentials: kept, or proposed in a sops pull request',
  phase: 'credentials',
  async apply(context, services) {
    const { target, run } = context;
    const record = sopsRecordOf(target);
    const decision = await decideCredentials(target, services);
    if (decision.kind === 'reuse') {
      services.memory.credentials = decision.credentials;
      return {
        summary: `Vault holds the credentials of client id \`${decision.credentials.id}\` for ${target.lmsUrl}; they are kept, so no pull request is needed.`,
      };
    }
    const open = await services.secretsOfRecord.openProposal(target, record);
    if (open?.credentials) services.protectSecret(open.credentials.secret);
    // A pull request still open from an earlier run already proposes fitting values: keep them.
    const credentials =
      open?.credentials && fits(open.credentials, target, decision.clientId)
        ? open.credentials
        : newCredentials(target, decision.clientId, services);
    const outcome = await services.secretsOfRecord.propose(
      target,
      record,
      credentials,
      pullRequestContext(run),
    );
    services.memory.credentials = credentials;
    const where = `\`pipelines.${record.sops.key}\` of \`${record.sops.file}\``;
    if (outcome.kind === 'at_base') {
      await context.saveCheckpoint({ pullNumber: 0 });
      return { summary: `${where} on \`${record.sops.base}\` already holds them (${decision.reason}).` };
    }
    await context.saveCheckpoint({ pullNumber: outcome.pull.number });
    const fields = outcome.changedFields.length > 0 ? outcome.changedFields.join(', ') : 'nothing new';
    return {
      summary: `${outcome.committed ? 'Proposed' : 'Already proposed'} credentials for client id \`${credentials.id}\` (${decision.reason}) in ${pullLink(outcome.pull)}: ${where}, changing ${fields}.`,
    };
  },
  async preview({ target }, services) {
    const decision = await decideCredentials(target, services);
    if (decision.kind === 'reuse') {
      return {
        changes: false,
        summary: `Vault holds the credentials of client id \`${decision.credentials.id}\`; they would be kept.`,
      };
    }
    return {
      changes: true,
      summary: await proposalWording(target, services, decision.reason, decision.clientId),
    };
  },
};

function fits(credentials: OAuthClientCredentials, target: Target, clientId: string | undefined): boolean {
  return credentials.host === target.lmsUrl && (clientId === undefined || credentials.id === clientId);
}

/** What the approver agrees to: the pull request, and what the bot's Vault token can read. */
async function proposalWording(
  target: Target,
  services: SetupServices,
  reason: string,
  clientId: string | undefined,
): Promise<string> {
  const record = sopsRecordOf(target);
  const key = await services.secretsOfRecord.transitKey(record);
  const after = record.afterMerge
    ? `after the merge the bot triggers \`${record.afterMerge.concourse.pipeline}/${record.afterMerge.concourse.job}\` (team \`${record.afterMerge.concourse.team}\`) so Pulumi writes Vault`
    : 'after the merge Pulumi writes Vault on its own';
  return [
    `Would propose new credentials (${reason}) for ${clientIdWording(clientId)} in a pull request on \`${record.sops.file}\` in ${record.sops.repo} (key \`pipelines.${record.sops.key}\`); ${after}, and the run waits for it.`,
    `To edit the file the bot unwraps its data key with Vault transit at ${key.vaultAddress}: its token needs \`update\` on \`${key.enginePath}/decrypt/${key.keyName}\`, and with it the bot can read every secret in that file.`,
  ].join(' ');
}
