import { z } from 'zod';
import { isHttpsOrLoopback } from './catalog-schema.js';
import { ConfigError } from './config-error.js';

const HTTPS_RULE = 'must use https (plain http only for loopback addresses)';

const optionalText = z.string().min(1).optional();

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    /** The `worker` role's `/healthz` and `/metrics` (it has no Slack listener on PORT). */
    WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    /** The sandbox page has no authentication: it listens on loopback unless told otherwise. */
    SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
    RETIREMENT_BOT_CONFIG: z.string().min(1).default('config/environments.yml'),
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
      .default('redis://127.0.0.1:6379'),
    /** Prefix for every Redis key the bot writes, so several bots (or test runs) can share a Redis. */
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]+$/)
      .default('retirement-bot'),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** How long a worker's hold on a run lasts without renewal; a killed worker's run resumes after it. */
    WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(1_000).default(60_000),
    WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
    /** How often the first build is polled while the run follows it. */
    CONCOURSE_BUILD_POLL_MS: z.coerce.number().int().min(10).default(5_000),

    SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'must be a bot token (xoxb-…)').optional(),
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'must be an app-level token (xapp-…)').optional(),
    SLACK_API_URL: z.url().refine(isHttpsOrLoopback, HTTPS_RULE).optional(),
    /** Slack's published limits (docs: rate limits): chat.update is Tier 3, 50+ a minute per workspace. */
    SLACK_UPDATE_PER_MINUTE: z.coerce.number().positive().default(50),
    SLACK_UPDATE_BURST: z.coerce.number().int().min(1).default(3),
    /** chat.postMessage: about one message a second per channel, short bursts allowed. */
    SLACK_POST_PER_MINUTE_PER_CHANNEL: z.coerce.number().positive().default(60),
    SLACK_POST_BURST: z.coerce.number().int().min(1).default(3),
    /** A message that only shows progress (not a result, an approval or a failure) is edited at most this often. */
    SLACK_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).default(15_000),

    VAULT_ADDR: z.url().refine(isHttpsOrLoopback, HTTPS_RULE).optional(),
    VAULT_TOKEN: optionalText,
    VAULT_ROLE_ID: optionalText,
    VAULT_SECRET_ID: optionalText,
    VAULT_APPROLE_MOUNT: z.string().min(1).default('approle'),
    VAULT_NAMESPACE: optionalText,

    CONCOURSE_USERNAME: optionalText,
    CONCOURSE_PASSWORD: optionalText,

    /** A GitHub App installation (as MIT's open-drift-pr uses), or a token, for the sops pull requests. */
    GITHUB_APP_ID: z.string().regex(/^\d+$/, 'must be a numeric GitHub App id').optional(),
    GITHUB_APP_INSTALLATION_ID: z.string().regex(/^\d+$/, 'must be a numeric installation id').optional(),
    GITHUB_APP_PRIVATE_KEY_PATH: optionalText,
    GITHUB_TOKEN: optionalText,
    GITHUB_API_URL: z.url().refine(isHttpsOrLoopback, HTTPS_RULE).default('https://api.github.com'),
    /** How often a run parked on a secrets pull request checks it, and how long it waits for the merge. */
    SECRETS_PR_POLL_MS: z.coerce.number().int().min(10).default(60_000),
    SECRETS_PR_WAIT_HOURS: z.coerce
      .number()
      .min(0.001)
      .max(24 * 30)
      .default(24 * 7),

    SSH_PRIVATE_KEY_PATH: optionalText,
    SSH_KNOWN_HOSTS_PATH: optionalText,
  })
  .superRefine((env, ctx) => {
    const missing = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      missing(
        'SLACK_SIGNING_SECRET',
        'is required in HTTP mode (set it, or SLACK_APP_TOKEN for Socket Mode)',
      );
    }
    if ((env.SLACK_APP_TOKEN || env.SLACK_SIGNING_SECRET) && !env.SLACK_BOT_TOKEN) {
      missing('SLACK_BOT_TOKEN', 'is required when Slack is configured');
    }
    if (Boolean(env.VAULT_ROLE_ID) !== Boolean(env.VAULT_SECRET_ID)) {
      missing(
        env.VAULT_ROLE_ID ? 'VAULT_SECRET_ID' : 'VAULT_ROLE_ID',
        'AppRole needs both VAULT_ROLE_ID and VAULT_SECRET_ID',
      );
    }
    if (Boolean(env.CONCOURSE_USERNAME) !== Boolean(env.CONCOURSE_PASSWORD)) {
      missing(
        env.CONCOURSE_USERNAME ? 'CONCOURSE_PASSWORD' : 'CONCOURSE_USERNAME',
        'Concourse needs both a username and a password',
      );
    }
    const app = [env.GITHUB_APP_ID, env.GITHUB_APP_INSTALLATION_ID, env.GITHUB_APP_PRIVATE_KEY_PATH];
    if (app.some(Boolean) && !app.every(Boolean)) {
      missing(
        'GITHUB_APP_ID',
        'a GitHub App needs GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY_PATH',
      );
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Reads the process environment once; empty strings count as unset (a common .env mistake). */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const copy = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(copy);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** Without Slack credentials the bot runs as the local sandbox, against emulators. */
export function isSandbox(env: Env): boolean {
  return !env.SLACK_BOT_TOKEN;
}
