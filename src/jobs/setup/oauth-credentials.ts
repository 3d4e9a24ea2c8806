import type { Target } from '../../config/catalog.js';
import type { OAuthClientCredentials } from '../../integrations/vault/credential-store.js';
import type { EdxWorkerInspection, SetupServices } from './setup-services.js';

/**
 * The credentials already in place, if Vault holds them for the LMS application that exists and
 * the LMS issues a token with them. Read-only: it changes nothing anywhere.
 */
export async function credentialsInPlace(
  target: Target,
  services: SetupServices,
  inspection?: EdxWorkerInspection,
): Promise<OAuthClientCredentials | undefined> {
  const lms = inspection ?? services.memory.inspection ?? (await (await services.edxWorker()).inspect());
  const clientId = lms.application.clientId;
  if (!clientId) return undefined;
  const stored = await services.credentials.read(target);
  if (stored?.id !== clientId || stored.host !== target.lmsUrl) return undefined;
  try {
    await services.verifyCredentials(stored);
    return stored;
  } catch {
    return undefined;
  }
}

/**
 * The application's credentials for this run. Those already in place are used as they are; a
 * resumed run (worker killed after the DOT step) has none in memory and asks the edx-worker again,
 * which recovers the same ones (`--update` prints the existing secret) instead of creating a
 * second application or storing the secret anywhere.
 */
export async function oauthCredentials(
  target: Target,
  services: SetupServices,
): Promise<OAuthClientCredentials> {
  if (services.memory.credentials) return services.memory.credentials;
  const inPlace = await credentialsInPlace(target, services);
  if (inPlace) {
    services.memory.credentials = inPlace;
    return inPlace;
  }
  const application = await (await services.edxWorker()).ensureDotApplication();
  services.memory.credentials = {
    id: application.clientId,
    secret: application.clientSecret,
    host: target.lmsUrl,
  };
  return services.memory.credentials;
}
