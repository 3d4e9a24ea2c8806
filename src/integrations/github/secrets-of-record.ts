import type { Octokit } from '@octokit/rest';
import type { SopsRecord, Target } from '../../config/catalog.js';
import { BotError } from '../../errors.js';
import { readHcVaultKeys, unwrapDataKey } from '../sops/data-key.js';
import type { VaultTransit } from '../sops/vault-transit.js';
import type { OAuthClientCredentials } from '../vault/credential-store.js';
import {
  createOctokit,
  type GitHubSettings,
  githubRepository,
  type PullRequest,
} from './github-repository.js';
import {
  type ProposalOutcome,
  type PullRequestContext,
  proposeSecrets,
  secretsBranch,
} from './secrets-pull-request.js';
import { credentialsInSops } from './sops-secret-values.js';

export type { PullRequest } from './github-repository.js';
export type { ProposalOutcome, PullRequestContext } from './secrets-pull-request.js';

/** The sops file of record, over GitHub, the codec and Vault transit; what the setup steps call. */
export interface SecretsOfRecord {
  propose(
    record: SopsRecord,
    credentials: OAuthClientCredentials,
    context: PullRequestContext,
  ): Promise<ProposalOutcome>;
  /** The pair's open pull request and the values its branch holds (decrypted, never stored). */
  openProposal(
    target: Target,
    record: SopsRecord,
  ): Promise<{ pull: PullRequest; credentials?: OAuthClientCredentials } | undefined>;
  pull(record: SopsRecord, number: number): Promise<PullRequest>;
  /** The values the file holds at `ref` (a branch or a commit). */
  valuesAt(record: SopsRecord, ref: string): Promise<OAuthClientCredentials | undefined>;
  /** The transit key the file's `sops.hc_vault[0]` names, read at the base branch. */
  transitKey(record: SopsRecord): Promise<{ vaultAddress: string; enginePath: string; keyName: string }>;
}

export interface SecretsOfRecordOptions {
  /** Undefined when the environment configures no GitHub credentials. */
  github: GitHubSettings | undefined;
  transit: VaultTransit;
  now?: () => Date;
}

export function createSecretsOfRecord(options: SecretsOfRecordOptions): SecretsOfRecord {
  let octokit: Promise<Octokit> | undefined;
  const repository = async (record: SopsRecord) => {
    const settings = options.github;
    if (!settings) {
      throw new BotError({
        code: 'github_not_configured',
        userMessage:
          'The catalog records these credentials through a sops pull request, but GitHub is not configured (GITHUB_TOKEN, or GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY_PATH).',
      });
    }
    octokit ??= createOctokit(settings).catch((error: unknown) => {
      octokit = undefined;
      throw error;
    });
    return githubRepository(await octokit, record.sops.repo);
  };
  const fileAt = async (record: SopsRecord, ref: string) => {
    const file = await (await repository(record)).readFile(record.sops.file, ref);
    if (!file) {
      throw new BotError({
        code: 'sops_file_missing',
        userMessage: `${record.sops.repo} has no \`${record.sops.file}\` at \`${ref}\`.`,
      });
    }
    return file.content;
  };
  const valuesAt = async (record: SopsRecord, ref: string) => {
    const text = await fileAt(record, ref);
    return credentialsInSops(text, await unwrapDataKey(text, options.transit), record.sops.key);
  };
  return {
    async propose(record, credentials, context) {
      const now = options.now?.() ?? new Date();
      return proposeSecrets(await repository(record), record, credentials, context, {
        transit: options.transit,
        now,
      });
    },
    async openProposal(target, record) {
      const branch = secretsBranch(target.app, target.env);
      const [latest] = await (await repository(record)).pullsFrom(branch);
      if (latest?.state !== 'open') return undefined;
      const credentials = await valuesAt(record, branch);
      return { pull: latest, ...(credentials ? { credentials } : {}) };
    },
    pull: async (record, number) => (await repository(record)).pull(number),
    valuesAt,
    async transitKey(record) {
      const [key] = readHcVaultKeys(await fileAt(record, record.sops.base));
      if (!key) {
        throw new BotError({
          code: 'sops_no_hc_vault',
          userMessage: `\`${record.sops.file}\` has no \`sops.hc_vault\` entry, so the bot cannot unwrap its data key with Vault.`,
        });
      }
      return { vaultAddress: key.vault_address, enginePath: key.engine_path, keyName: key.key_name };
    },
  };
}
