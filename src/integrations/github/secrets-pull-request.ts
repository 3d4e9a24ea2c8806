import type { SopsRecord } from '../../config/catalog.js';
import { BotError } from '../../errors.js';
import { unwrapDataKey } from '../sops/data-key.js';
import { updateSopsYaml } from '../sops/sops-update.js';
import type { VaultTransit } from '../sops/vault-transit.js';
import type { OAuthClientCredentials } from '../vault/credential-store.js';
import type { GitHubRepository, PullRequest } from './github-repository.js';
import { CREDENTIAL_FIELDS, credentialsInSops } from './sops-secret-values.js';

/** Who and what the pull request's body names; never a value. */
export interface PullRequestContext {
  app: string;
  env: string;
  runId: string;
  requestedBy: string;
  approvedBy?: string;
  /** Where the run can be followed (a Slack permalink or the run's id). */
  runLink: string;
  /** Break-glass: the bot wrote the same values to Vault directly. */
  breakGlass?: boolean;
}

export type ProposalOutcome =
  /** The base branch already holds these values: nothing to propose. */
  | { kind: 'at_base' }
  /** The pull request holds them now (`committed`: a commit was pushed for it in this call). */
  | { kind: 'proposed'; pull: PullRequest; committed: boolean; changedFields: string[] };

/** One branch per pair, reused by every run, as MIT's open-drift-pr keeps one per drift target. */
export function secretsBranch(app: string, env: string): string {
  return `retirement-bot/${app}-${env}-tubular-oauth-client`;
}

/**
 * Proposes the pair's credentials as a change to the sops file, the way open-drift-pr proposes
 * drift: nothing is pushed when the file would not change, an open pull request is updated rather
 * than duplicated, and one a person closed without merging is never reopened (the bot refuses
 * until its branch is deleted, which is how a person says "propose again").
 */
export async function proposeSecrets(
  github: GitHubRepository,
  record: SopsRecord,
  credentials: OAuthClientCredentials,
  context: PullRequestContext,
  deps: { transit: VaultTransit; now: Date },
): Promise<ProposalOutcome> {
  const { base, file, key } = record.sops;
  const branch = secretsBranch(context.app, context.env);
  const [latest] = await github.pullsFrom(branch);
  const branchSha = await github.branchSha(branch);
  if (latest && latest.state === 'closed' && latest.merged_at === null && branchSha !== undefined) {
    throw new BotError({
      code: 'secrets_pull_request_closed',
      userMessage: `Pull request #${latest.number} (${latest.html_url}) for ${context.app} ${context.env} was closed without merging; the bot does not reopen it. Delete branch \`${branch}\` in ${github.fullName} to let it propose the credentials again.`,
    });
  }
  const open = latest?.state === 'open' ? latest : undefined;
  const source = open ? branch : base;
  const current = await github.readFile(file, source);
  if (!current) {
    throw new BotError({
      code: 'sops_file_missing',
      userMessage: `${github.fullName} has no \`${file}\` on \`${source}\`; the catalog's sops record names a file that does not exist.`,
    });
  }
  const dataKey = await unwrapDataKey(current.content, deps.transit);
  const before = credentialsInSops(current.content, dataKey, key);
  const changes = CREDENTIAL_FIELDS.map((field) => ({
    path: ['pipelines', key, field],
    value: credentials[field],
  }));
  const updated = updateSopsYaml(current.content, dataKey, changes, deps.now);
  const changedFields = CREDENTIAL_FIELDS.filter((field) => before?.[field] !== credentials[field]);
  const text = describe(record, context, changedFields);
  if (updated === current.content) {
    if (!open) return { kind: 'at_base' };
    return {
      kind: 'proposed',
      pull: await github.editPull(open.number, text),
      committed: false,
      changedFields,
    };
  }
  if (!open) {
    const baseSha = await github.branchSha(base);
    if (!baseSha)
      throw new BotError({
        code: 'github_not_found',
        userMessage: `${github.fullName} has no branch \`${base}\`.`,
      });
    if (branchSha === undefined) await github.createBranch(branch, baseSha);
    else await github.resetBranch(branch, baseSha);
  }
  // A fresh branch starts at the base, so the file's blob is the one just read in either case.
  await github.writeFile({ path: file, branch, content: updated, sha: current.sha, message: text.title });
  const pull = open
    ? await github.editPull(open.number, text)
    : await github.openPull({ branch, base, ...text });
  return { kind: 'proposed', pull, committed: true, changedFields };
}

/** The title and body: which keys change, who asked and approved, and where the run is. */
function describe(record: SopsRecord, context: PullRequestContext, fields: readonly string[]) {
  const { file, key } = record.sops;
  const title = `retirement-bot: ${context.app} ${context.env} tubular OAuth client in ${file.split('/').pop()}`;
  const changed =
    fields.length > 0 ? fields.map((f) => `- \`pipelines.${key}.${f}\``).join('\n') : '- (none)';
  const body = [
    `The retirement pipeline's OAuth client for **${context.app} ${context.env}**, proposed by retirement-bot.`,
    '',
    `Keys changed in \`${file}\` (values are sops-encrypted; they are never shown):`,
    changed,
    '',
    `Requested by Slack user ${context.requestedBy}${context.approvedBy ? `, approved by ${context.approvedBy}` : ''}.`,
    `Run: ${context.runLink}`,
    '',
    ...(context.breakGlass
      ? [
          '**Break-glass:** the bot also wrote these values to Vault directly. Until this merges, a Pulumi deployment of the Concourse stack writes the old values back over them.',
          '',
        ]
      : []),
    record.afterMerge
      ? `After the merge the bot triggers \`${record.afterMerge.concourse.pipeline}/${record.afterMerge.concourse.job}\` so Pulumi writes Vault, then finishes the setup.`
      : 'After the merge Pulumi writes Vault on its own; the bot then finishes the setup.',
  ].join('\n');
  return { title, body };
}
