import { type Catalog, loadCatalogFile } from '../config/catalog.js';
import { ConfigError } from '../config/config-error.js';
import { type Env, loadEnv } from '../config/env.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';

/** The environment and the catalog, with every problem in both reported at once. */
export function loadConfiguration(source: NodeJS.ProcessEnv = process.env): { env: Env; catalog: Catalog } {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const env = attempt(() => loadEnv(source));
  const path = env?.RETIREMENT_BOT_CONFIG ?? source.RETIREMENT_BOT_CONFIG ?? 'config/environments.yml';
  const catalog = attempt(() => loadCatalogFile(path));
  if (!env || !catalog) throw new ConfigError(problems);
  return { env, catalog };
}

/** Secrets from the environment are scrubbed from every log line, whatever logs them. */
export function registerConfiguredSecrets(env: Env, redactor: SecretRedactor): void {
  redactor.register(
    env.SLACK_BOT_TOKEN,
    env.SLACK_SIGNING_SECRET,
    env.SLACK_APP_TOKEN,
    env.VAULT_TOKEN,
    env.VAULT_SECRET_ID,
    env.CONCOURSE_PASSWORD,
    env.GITHUB_TOKEN,
  );
}
