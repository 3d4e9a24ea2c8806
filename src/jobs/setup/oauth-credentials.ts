import type { Target } from '../../config/catalog.js';
import type { OAuthClientCredentials } from '../../integrations/vault/credential-store.js';
import type { SetupServices } from './setup-services.js';

/**
 * The application's credentials for this run. A resumed run (worker killed after the DOT step)
 * has none in memory; asking the edx-worker again recovers the same ones (`--update` prints the
 * existing secret) instead of creating a second application or storing the secret anywhere.
 */
export async function oauthCredentials(
  target: Target,
  services: SetupServices,
): Promise<OAuthClientCredentials> {
  if (services.memory.credentials) return services.memory.credentials;
  const application = await (await services.edxWorker()).ensureDotApplication();
  services.memory.credentials = {
    id: application.clientId,
    secret: application.clientSecret,
    host: target.lmsUrl,
  };
  return services.memory.credentials;
}
