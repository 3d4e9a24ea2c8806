import { credentialsInPlace, oauthCredentials } from './oauth-credentials.js';
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
    const known = services.memory.credentials ?? (await credentialsInPlace(target, services));
    const clientId =
      known?.id ??
      (services.memory.inspection ?? (await (await services.edxWorker()).inspect())).application.clientId;
    // Every field is compared, the secret by digest; a secret not known yet counts as a change.
    const inspection = await services.credentials.inspect(target, {
      id: clientId,
      host: target.lmsUrl,
      ...(known ? { secret: known.secret } : {}),
    });
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
        if (known) return { changes: false, summary: `\`${inspection.path}\` holds these credentials.` };
        return {
          changes: true,
          summary: clientId
            ? `Would write the secret to \`${inspection.path}\` if it differs from the application's (it is compared once read from the LMS).`
            : `\`${inspection.path}\` exists; the application is not created yet.`,
        };
    }
  },
};
