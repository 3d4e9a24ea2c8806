import { decideCredentials } from './credentials-decision.js';
import type { SetupStep } from './setup-step.js';
import { proposalWording, proposeInPullRequest } from './sops-credentials-step.js';
import { pullLink, sopsRecordOf } from './sops-record.js';

/** What the thread and the approval say about the pull request not merged yet. */
const PULUMI_WARNING =
  'Until the pull request merges, a Pulumi deployment of the Concourse stack may write the old value back over Vault.';

/**
 * `setup --break-glass` on a sops pair (production approval required): the pull request first,
 * then Vault directly, so the pipeline works before the merge. In that order a run killed between
 * the two finds the pull request holding the values and writes them to Vault on resuming.
 */
export const breakGlassCredentialsStep: SetupStep = {
  id: 'credentials',
  title: 'Credentials (break-glass): written to Vault directly and proposed in the sops pull request',
  phase: 'credentials',
  async apply(context, services) {
    const { target } = context;
    const decision = await decideCredentials(target, services);
    if (decision.kind === 'reuse') {
      services.memory.credentials = decision.credentials;
      return {
        summary: `Vault holds the credentials of client id \`${decision.credentials.id}\` for ${target.lmsUrl}; they are kept, so there is nothing to break glass for.`,
      };
    }
    const { credentials, outcome } = await proposeInPullRequest(context, services, decision);
    const stored = await services.credentials.store(target, credentials);
    if (stored.version !== undefined) await context.saveCheckpoint({ vaultVersion: stored.version });
    const version = stored.version === undefined ? '' : ` (version ${stored.version})`;
    const proposal =
      outcome.kind === 'proposed'
        ? ['proposed them in ', pullLink(outcome.pull)]
        : [`\`${sopsRecordOf(target).sops.file}\` on the base branch already holds them`];
    return {
      summary: [
        `Break-glass: wrote the credentials of client id \`${credentials.id}\` (${decision.reason}) to \`${stored.path}\`${version} and `,
        ...proposal,
        `. ${PULUMI_WARNING}`,
      ],
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
    const proposal = await proposalWording(target, services, decision.reason, decision.clientId, false);
    return {
      changes: true,
      summary: `BREAK-GLASS: would write the new credentials to Vault directly (check-and-set), without waiting for the merge, and: ${proposal} ${PULUMI_WARNING}`,
    };
  },
};
