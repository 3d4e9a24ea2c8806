import { secretPath } from '../../integrations/vault/credential-store.js';
import {
  clientIdWording,
  decideCredentials,
  newCredentials,
  vaultFieldChanges,
} from './credentials-decision.js';
import type { SetupStep } from './setup-step.js';
import { vaultLink } from './target-links.js';

/**
 * The pipeline's OAuth credentials, recorded in Vault before the LMS is touched: Vault is their
 * record, so a run resumed after this step reads them back from there, never from a log.
 */
export const credentialsStep: SetupStep = {
  id: 'credentials',
  title: 'Credentials: kept, or generated and recorded in Vault',
  phase: 'credentials',
  async apply(context, services) {
    const { target } = context;
    const decision = await decideCredentials(target, services);
    if (decision.kind === 'reuse') {
      services.memory.credentials = decision.credentials;
      return {
        summary: `Vault holds the credentials of client id \`${decision.credentials.id}\` for ${target.lmsUrl}; they are kept.`,
        changed: false,
      };
    }
    const credentials = newCredentials(target, decision.clientId, services);
    const result = await services.credentials.store(target, credentials);
    services.memory.credentials = credentials;
    if (result.version !== undefined) await context.saveCheckpoint({ vaultVersion: result.version });
    const version = result.version === undefined ? '' : ` (version ${result.version})`;
    return {
      summary: [
        `Generated a new secret for client id \`${credentials.id}\` (${decision.reason}) and wrote id, secret and host to `,
        vaultLink(target, secretPath(target)),
        `${version}.`,
      ],
      details: vaultFieldChanges(target, { ...decision, clientId: credentials.id }),
      changed: true,
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
      summary: `Would replace the credentials (${decision.reason}): a new secret for ${clientIdWording(decision.clientId)}, written to Vault with check-and-set.`,
      details: vaultFieldChanges(target, decision),
    };
  },
};
