import type { Target } from '../../config/catalog.js';

/** What Concourse reads as ((tubular_oauth_client.id|secret|host)) (domain.md D.3/D.4). */
export interface OAuthClientCredentials {
  id: string;
  secret: string;
  host: string;
}

export type CredentialField = keyof OAuthClientCredentials;

export type CredentialInspection =
  | { state: 'absent'; path: string }
  | { state: 'present'; path: string; version?: number }
  | { state: 'different'; path: string; version?: number; differingFields: CredentialField[] };

/** Where the bot keeps the pipeline's OAuth client; Vault in production, an interface for tests. */
export interface CredentialStore {
  /** Proves the bot's token is valid and may write the target's path, and the mount is the configured KV version. */
  checkAccess(target: Target): Promise<void>;
  /** Writes unless the store already holds exactly these values; reads back and compares. */
  store(
    target: Target,
    credentials: OAuthClientCredentials,
  ): Promise<{ written: boolean; version?: number; path: string }>;
  /** Read-only comparison with what would be written; reports field names, never values. */
  inspect(
    target: Target,
    expected: { id?: string; secret?: string; host: string },
  ): Promise<CredentialInspection>;
  read(target: Target): Promise<OAuthClientCredentials | undefined>;
  close(): Promise<void>;
}

/** The secret's path inside its mount, e.g. `mitxonline/tubular_oauth_client`. */
export function secretPath(target: Target): string {
  return target.vault.path
    .replaceAll('{team}', target.concourse.team)
    .replaceAll('{app}', target.app)
    .replaceAll('{env}', target.env);
}
