import { readFile } from 'node:fs/promises';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { BotError } from '../../errors.js';
import { githubError } from './github-errors.js';

export type GitHubAuth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string; installationId: string; privateKeyPath: string };

export interface GitHubSettings {
  apiUrl: string;
  auth: GitHubAuth;
  timeoutMs?: number;
}

const refSchema = z.object({ object: z.object({ sha: z.string() }) });
const fileSchema = z.object({
  type: z.literal('file'),
  encoding: z.literal('base64'),
  content: z.string(),
  sha: z.string(),
});
const commitAnswerSchema = z.object({ commit: z.object({ sha: z.string() }) });
const pullSchema = z.object({
  number: z.number().int(),
  state: z.enum(['open', 'closed']),
  html_url: z.string(),
  merged_at: z.string().nullable(),
  merge_commit_sha: z.string().nullable().optional(),
  head: z.object({ ref: z.string(), sha: z.string().nullable() }),
  /** Only on a single pull request; null while GitHub is still computing it. */
  mergeable: z.boolean().nullable().optional(),
});
export type PullRequest = z.infer<typeof pullSchema>;

/** The calls a secrets pull request makes on one repository, answers parsed, errors typed. */
export interface GitHubRepository {
  readonly fullName: string;
  branchSha(branch: string): Promise<string | undefined>;
  createBranch(branch: string, sha: string): Promise<void>;
  /** Points an existing branch at `sha` (forced), to start a new proposal from the base. */
  resetBranch(branch: string, sha: string): Promise<void>;
  readFile(path: string, ref: string): Promise<{ content: string; sha: string } | undefined>;
  writeFile(change: {
    path: string;
    branch: string;
    content: string;
    sha: string;
    message: string;
  }): Promise<string>;
  /** Pull requests from `branch`, newest first, in any state. */
  pullsFrom(branch: string): Promise<PullRequest[]>;
  pull(number: number): Promise<PullRequest>;
  openPull(request: { branch: string; base: string; title: string; body: string }): Promise<PullRequest>;
  editPull(number: number, change: { title: string; body: string }): Promise<PullRequest>;
}

/** An Octokit whose every request gives up after `timeoutMs`. */
export async function createOctokit(settings: GitHubSettings): Promise<Octokit> {
  const timeoutMs = settings.timeoutMs ?? 15_000;
  const timedFetch: typeof fetch = (input, init) =>
    fetch(input, {
      ...init,
      signal: init?.signal
        ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
    });
  // Octokit's own request log writes to the console; failures reach the bot's log as BotErrors.
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const common = {
    baseUrl: settings.apiUrl,
    request: { fetch: timedFetch },
    userAgent: 'retirement-bot',
    log: quiet,
  };
  if (settings.auth.kind === 'token') return new Octokit({ ...common, auth: settings.auth.token });
  const privateKey = await readFile(settings.auth.privateKeyPath, 'utf8').catch(
    (error: NodeJS.ErrnoException) => {
      throw new BotError({
        code: 'github_app_key_unreadable',
        userMessage: 'The GitHub App private key (GITHUB_APP_PRIVATE_KEY_PATH) cannot be read.',
        detail: error.code,
      });
    },
  );
  return new Octokit({
    ...common,
    authStrategy: createAppAuth,
    auth: { appId: settings.auth.appId, installationId: settings.auth.installationId, privateKey },
  });
}

export function githubRepository(octokit: Octokit, fullName: string): GitHubRepository {
  const [owner, repo] = fullName.split('/') as [string, string];
  const call = async <T>(action: string, request: () => Promise<{ data: unknown }>, schema: z.ZodType<T>) => {
    let data: unknown;
    try {
      ({ data } = await request());
    } catch (error) {
      throw githubError(error, `${action} in ${fullName}`);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw githubError(
        { status: 502, response: { data: { message: 'an answer the bot does not understand' } } },
        `${action} in ${fullName}`,
      );
    }
    return parsed.data;
  };
  const absentOn404 = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if ((error as { code?: string }).code === 'github_not_found') return undefined;
      throw error;
    }
  };
  return {
    fullName,
    branchSha: (branch) =>
      absentOn404(async () => {
        const ref = await call(
          `reading branch ${branch}`,
          () => octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` }),
          refSchema,
        );
        return ref.object.sha;
      }),
    async createBranch(branch, sha) {
      await call(
        `creating branch ${branch}`,
        () => octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha }),
        refSchema,
      );
    },
    async resetBranch(branch, sha) {
      await call(
        `resetting branch ${branch}`,
        () => octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true }),
        refSchema,
      );
    },
    readFile: (path, ref) =>
      absentOn404(async () => {
        const file = await call(
          `reading ${path} at ${ref}`,
          () => octokit.rest.repos.getContent({ owner, repo, path, ref }),
          fileSchema,
        );
        return { content: Buffer.from(file.content, 'base64').toString('utf8'), sha: file.sha };
      }),
    async writeFile({ path, branch, content, sha, message }) {
      const answer = await call(
        `committing ${path} to ${branch}`,
        () =>
          octokit.rest.repos.createOrUpdateFileContents({
            owner,
            repo,
            path,
            branch,
            sha,
            message,
            content: Buffer.from(content, 'utf8').toString('base64'),
          }),
        commitAnswerSchema,
      );
      return answer.commit.sha;
    },
    pullsFrom: (branch) =>
      call(
        `listing pull requests from ${branch}`,
        () =>
          octokit.rest.pulls.list({ owner, repo, head: `${owner}:${branch}`, state: 'all', per_page: 100 }),
        z.array(pullSchema),
      ).then((pulls) => pulls.sort((a, b) => b.number - a.number)),
    pull: (number) =>
      call(
        `reading pull request #${number}`,
        () => octokit.rest.pulls.get({ owner, repo, pull_number: number }),
        pullSchema,
      ),
    openPull: ({ branch, base, title, body }) =>
      call(
        `opening a pull request from ${branch}`,
        () => octokit.rest.pulls.create({ owner, repo, head: branch, base, title, body }),
        pullSchema,
      ),
    editPull: (number, { title, body }) =>
      call(
        `updating pull request #${number}`,
        () => octokit.rest.pulls.update({ owner, repo, pull_number: number, title, body }),
        pullSchema,
      ),
  };
}
