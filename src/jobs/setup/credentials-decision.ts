import type { Target } from '../../config/catalog.js';
import { BotError } from '../../errors.js';
import type { OAuthClientCredentials } from '../../integrations/vault/credential-store.js';
import type { EdxWorkerInspection, SetupServices } from './setup-services.js';

/**
 * Whose credentials the pipeline uses: Vault is their record. Credentials Vault holds for this LMS
 * and for the application that exists (or for none yet) are kept; otherwise a new secret is
 * generated for the application's client id (or a new one), and written to Vault before the LMS.
 */
export type CredentialsDecision = { lms: EdxWorkerInspection } & (
  | { kind: 'reuse'; credentials: OAuthClientCredentials }
  /** `clientId` absent: there is no application yet, and a new id is generated when applied. */
  | { kind: 'replace'; clientId?: string; reason: string; previous?: { id: string; host: string } }
);

export async function decideCredentials(
  target: Target,
  services: SetupServices,
): Promise<CredentialsDecision> {
  const lms = await (await services.edxWorker()).inspect();
  const stored = await services.credentials.read(target);
  const appId = lms.application.clientId;
  if (stored) services.protectSecret(stored.secret);
  if (stored && stored.host === target.lmsUrl && (!appId || stored.id === appId)) {
    return { kind: 'reuse', credentials: stored, lms };
  }
  const reason = !stored
    ? 'Vault holds none'
    : stored.host !== target.lmsUrl
      ? `Vault's are for ${stored.host}`
      : "Vault's client id is not the application's";
  const previous = stored ? { id: stored.id, host: stored.host } : undefined;
  return {
    kind: 'replace',
    ...(appId ? { clientId: appId } : {}),
    ...(previous ? { previous } : {}),
    reason,
    lms,
  };
}

/** New credentials for a replacement: generated here, the secret protected at once. */
export function newCredentials(
  target: Target,
  clientId: string | undefined,
  services: SetupServices,
): OAuthClientCredentials {
  const secret = services.generate.clientSecret();
  services.protectSecret(secret);
  return { id: clientId ?? services.generate.clientId(), secret, host: target.lmsUrl };
}

/** How a replacement's client id is named in previews, which must not depend on chance. */
export function clientIdWording(clientId: string | undefined): string {
  return clientId ? `client id \`${clientId}\`` : 'a new client id';
}

/**
 * The fields of Vault's `tubular_oauth_client` a replacement changes, one a line, for approvers:
 * ids and hosts are shown, the secret only as "new" (its value is never shown anywhere).
 */
export function vaultFieldChanges(
  target: Target,
  decision: Extract<CredentialsDecision, { kind: 'replace' }>,
): string {
  const { previous, clientId } = decision;
  const id = clientId ?? 'a new id, generated';
  const lines = [
    previous?.id === clientId ? `id: ${id} (unchanged)` : `id: ${previous?.id ?? '(none)'} → ${id}`,
    previous ? 'secret: replaced by a new one (value not shown)' : 'secret: a new one (value not shown)',
    previous?.host === target.lmsUrl
      ? `host: ${target.lmsUrl} (unchanged)`
      : `host: ${previous?.host ?? '(none)'} → ${target.lmsUrl}`,
  ];
  return lines.join('\n');
}

/** What Vault holds for the pair, once a credentials step has run. */
export async function recordedCredentials(
  target: Target,
  services: SetupServices,
): Promise<OAuthClientCredentials> {
  if (services.memory.credentials) return services.memory.credentials;
  const stored = await services.credentials.read(target);
  if (!stored) {
    throw new BotError({
      code: 'vault_credentials_missing',
      userMessage: `Vault holds no tubular_oauth_client for ${target.app} ${target.env}; run setup again.`,
    });
  }
  services.protectSecret(stored.secret);
  services.memory.credentials = stored;
  return stored;
}

/** The LMS's answers that mean these credentials are not (all) in place there. */
const NOT_IN_PLACE = ['lms_credentials_rejected', 'lms_grant_type_not_allowed', 'lms_token_refused'];

/**
 * True when the LMS issues a token for these credentials, false when it refuses them; an LMS that
 * cannot answer (unreachable, rate-limited, failing) is an error, not a refusal.
 */
export async function acceptedByLms(
  credentials: OAuthClientCredentials,
  services: SetupServices,
): Promise<boolean> {
  try {
    await services.verifyCredentials(credentials);
    return true;
  } catch (error) {
    if (error instanceof BotError && NOT_IN_PLACE.includes(error.code)) return false;
    throw error;
  }
}
