import type { Target } from '../../config/catalog.js';
import type { ProposalOutcome } from '../../integrations/github/secrets-of-record.js';
import type { OAuthClientCredentials } from '../../integrations/vault/credential-store.js';
import type { StepContext } from '../step-definition.js';
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
    const { target } = context;
    const record = sopsRecordOf(target);
    const decision = await decideCredentials(target, services);
    // Credentials Vault holds and the LMS fits are kept, but the file must hold them too, or the
    // next Pulumi deployment writes the file's old values back over them.
    const { credentials, outcome } =
      decision.kind === 'reuse'
        ? await proposeKept(context, services, decision.credentials)
        : await proposeInPullRequest(context, services, decision);
    const reason = decision.kind === 'reuse' ? 'kept from Vault' : decision.reason;
    const where = `\`pipelines.${record.sops.key}\` of \`${record.sops.file}\``;
    if (outcome.kind === 'at_base') {
      await context.saveCheckpoint({ pullNumber: 0 });
      return {
        summary: `The credentials of client id \`${credentials.id}\` (${reason}) are what ${where} on \`${record.sops.base}\` holds; no pull request is needed.`,
      };
    }
    await context.saveCheckpoint({ pullNumber: outcome.pull.number });
    const fields = outcome.changedFields.length > 0 ? outcome.changedFields.join(', ') : 'nothing new';
    return {
      summary: [
        `${outcome.committed ? 'Proposed' : 'Already proposed'} credentials for client id \`${credentials.id}\` (${reason}) in `,
        pullLink(outcome.pull),
        `: ${where}, changing ${fields}.`,
      ],
    };
  },
  async preview({ target }, services) {
    const decision = await decideCredentials(target, services);
    if (decision.kind === 'reuse') {
      const record = sopsRecordOf(target);
      const inFile = await services.secretsOfRecord.valuesAt(record, record.sops.base);
      if (inFile) services.protectSecret(inFile.secret);
      if (inFile && sameCredentials(inFile, decision.credentials)) {
        return {
          changes: false,
          summary: `Vault and \`${record.sops.file}\` hold the credentials of client id \`${decision.credentials.id}\`; they would be kept.`,
        };
      }
      const reason = "Vault's are kept, but the sops file does not hold them yet";
      return {
        changes: true,
        summary: await proposalWording(target, services, reason, decision.credentials.id),
      };
    }
    return {
      changes: true,
      summary: await proposalWording(target, services, decision.reason, decision.clientId),
    };
  },
};

/**
 * Proposes the credentials a replacement needs in the pair's pull request: those a pull request
 * still open from an earlier run already holds when they fit the LMS, otherwise new ones.
 */
export async function proposeInPullRequest(
  context: StepContext,
  services: SetupServices,
  decision: { clientId?: string },
): Promise<{ credentials: OAuthClientCredentials; outcome: ProposalOutcome }> {
  const { target, run } = context;
  const record = sopsRecordOf(target);
  const open = await services.secretsOfRecord.openProposal(target, record);
  if (open?.credentials) services.protectSecret(open.credentials.secret);
  const credentials =
    open?.credentials && fits(open.credentials, target, decision.clientId)
      ? open.credentials
      : newCredentials(target, decision.clientId, services);
  const request = { ...pullRequestContext(run), ...(run.breakGlass ? { breakGlass: true } : {}) };
  const outcome = await services.secretsOfRecord.propose(record, credentials, request);
  services.memory.credentials = credentials;
  return { credentials, outcome };
}

/** Proposes the credentials Vault holds, unless the file at the base holds them already. */
async function proposeKept(
  context: StepContext,
  services: SetupServices,
  credentials: OAuthClientCredentials,
): Promise<{ credentials: OAuthClientCredentials; outcome: ProposalOutcome }> {
  const { target, run } = context;
  const outcome = await services.secretsOfRecord.propose(
    sopsRecordOf(target),
    credentials,
    pullRequestContext(run),
  );
  services.memory.credentials = credentials;
  return { credentials, outcome };
}

function sameCredentials(a: OAuthClientCredentials, b: OAuthClientCredentials): boolean {
  return a.id === b.id && a.secret === b.secret && a.host === b.host;
}

function fits(credentials: OAuthClientCredentials, target: Target, clientId: string | undefined): boolean {
  return credentials.host === target.lmsUrl && (clientId === undefined || credentials.id === clientId);
}

/** What the approver agrees to: the pull request, and what the bot's Vault token can read. */
export async function proposalWording(
  target: Target,
  services: SetupServices,
  reason: string,
  clientId: string | undefined,
  waits = true,
): Promise<string> {
  const record = sopsRecordOf(target);
  const key = await services.secretsOfRecord.transitKey(record);
  const after = record.afterMerge
    ? `after the merge the bot triggers \`${record.afterMerge.concourse.pipeline}/${record.afterMerge.concourse.job}\` (team \`${record.afterMerge.concourse.team}\`) so Pulumi writes Vault`
    : 'after the merge Pulumi writes Vault on its own';
  return [
    `Would propose the credentials (${reason}) for ${clientIdWording(clientId)} in a pull request on \`${record.sops.file}\` in ${record.sops.repo} (key \`pipelines.${record.sops.key}\`); ${after}${waits ? ', and the run waits for it' : ''}.`,
    `To edit the file the bot unwraps its data key with Vault transit at ${key.vaultAddress}: its token needs \`update\` on \`${key.enginePath}/decrypt/${key.keyName}\`, and with it the bot can read every secret in that file.`,
  ].join(' ');
}
