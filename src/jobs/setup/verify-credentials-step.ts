import { BotError } from '../../errors.js';
import type { SetupStep } from './setup-step.js';
import { lmsLink } from './target-links.js';

/**
 * Asks the LMS for a token with exactly what Vault holds, as tubular will: success proves the
 * id, secret and host belong together.
 */
export const verifyCredentialsStep: SetupStep = {
  id: 'verify-credentials',
  title: 'Verify the credentials against the LMS',
  async apply({ target }, services) {
    const stored = await services.credentials.read(target);
    if (!stored) {
      throw new BotError({
        code: 'vault_credentials_missing',
        userMessage: `Vault holds no tubular_oauth_client for ${target.app} ${target.env}; run setup again.`,
      });
    }
    await services.verifyCredentials(stored);
    return {
      summary: ['The LMS at ', lmsLink(target), ` issued a token to client id \`${stored.id}\` from Vault.`],
    };
  },
  async preview({ target }) {
    return { changes: false, summary: `Would request a client-credentials token from ${target.lmsUrl}.` };
  },
};
