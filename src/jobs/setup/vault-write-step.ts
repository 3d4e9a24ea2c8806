import { oauthCredentials } from './oauth-credentials.js';
import type { SetupStep } from './setup-step.js';

/** Stores {id, secret, host} where Concourse reads ((tubular_oauth_client.*)); read back and compared. */
export const vaultWriteStep: SetupStep = {
  id: 'vault-write',
  title: 'Vault: tubular_oauth_client',
  phase: 'vault',
  async apply(context, services) {
    const { target } = context;
    const credentials = await oauthCredentials(target, services);
    const result = await services.credentials.store(target, credentials);
    if (!result.written) return { summary: `\`${result.path}\` already holds these credentials.` };
    if (result.version !== undefined) await context.saveCheckpoint({ vaultVersion: result.version });
    const version = result.version === undefined ? '' : ` (version ${result.version})`;
    return {
      summary: `Wrote client id \`${credentials.id}\`, secret and host to \`${result.path}\`${version}; read back and matched.`,
    };
  },
  async preview({ target }, services) {
    const clientId =
      services.memory.credentials?.id ??
      (services.memory.inspection ?? (await (await services.edxWorker()).inspect())).application.clientId;
    const inspection = await services.credentials.inspect(target, { id: clientId, host: target.lmsUrl });
    switch (inspection.state) {
      case 'absent':
        return {
          changes: true,
          summary: `Would write client id, secret and host to \`${inspection.path}\` (absent now).`,
        };
      case 'different':
        return {
          changes: true,
          summary: `Would update ${inspection.differingFields.join(', ')} at \`${inspection.path}\`.`,
        };
      case 'present':
        return {
          changes: false,
          summary: clientId
            ? `\`${inspection.path}\` holds this application's client id and host.`
            : `\`${inspection.path}\` exists; the application is not created yet.`,
        };
    }
  },
};
