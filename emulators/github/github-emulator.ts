import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from '../loopback-server.js';
import { errorBody } from './error-body.js';
import { blobSha, type Commit, GitStore } from './git-store.js';
import { type AppCredentials, installationToken } from './github-app-auth.js';
import { type PullRequest, pullJson } from './pull-requests.js';

interface Repo {
  owner: string;
  name: string;
  git: GitStore;
  pulls: PullRequest[];
}

export interface GitHubEmulatorOptions {
  /** A GitHub App whose installation tokens the API accepts (JWTs verified with its public key). */
  app?: AppCredentials;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
export type MergeListener = (event: {
  repo: string;
  pull: PullRequest;
  commit: Commit;
}) => void | Promise<void>;

/**
 * GitHub's REST API for what the bot uses, after docs.github.com/rest: git refs, the contents API,
 * pull requests (list by head and state, create, update, merge state, merge) and GitHub App
 * installation tokens. Every call needs a token; errors have GitHub's shape and status codes.
 */
export class GitHubEmulator {
  readonly token = `ghp_${randomBytes(18).toString('hex')}`;
  url = '';
  private server: Server | undefined;
  private readonly repos = new Map<string, Repo>();
  private readonly tokens = new Set<string>([this.token]);
  private readonly faults: Reply[] = [];
  private readonly mergeListeners: MergeListener[] = [];
  /** Every request the API answered, as `METHOD path` (for tests that count calls). */
  readonly requests: string[] = [];

  private constructor(private readonly options: GitHubEmulatorOptions) {}

  static async start(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
    const emulator = new GitHubEmulator(options);
    emulator.server = createServer((req, res) => void emulator.handle(req, res));
    emulator.url = await listenOnLoopback(emulator.server);
    return emulator;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  /** Creates `owner/name` with one commit holding `files` on `branch`. */
  createRepo(fullName: string, branch: string, files: Record<string, string>): void {
    const [owner, name] = fullName.split('/') as [string, string];
    const git = new GitStore(branch);
    git.branches.set(branch, git.commit(undefined, new Map(Object.entries(files)), 'Initial commit').sha);
    this.repos.set(fullName, { owner, name, git, pulls: [] });
  }

  /** A person's push to a branch (moves it on by one commit). */
  pushFile(fullName: string, branch: string, path: string, content: string): void {
    const repo = this.mustRepo(fullName);
    const parent = repo.git.resolve(branch) as Commit;
    const tree = new Map(parent.tree).set(path, content);
    repo.git.branches.set(branch, repo.git.commit(parent.sha, tree, `Update ${path}`).sha);
    for (const pull of repo.pulls) pull.mergeableKnown = false;
  }

  readFile(fullName: string, ref: string, path: string): string | undefined {
    return this.mustRepo(fullName).git.resolve(ref)?.tree.get(path);
  }

  pulls(fullName: string): readonly PullRequest[] {
    return this.mustRepo(fullName).pulls;
  }

  commitOf(fullName: string, ref: string): Commit | undefined {
    return this.mustRepo(fullName).git.resolve(ref);
  }

  /** What a person does in the web UI: merge (a merge commit) or close without merging. */
  async merge(fullName: string, number: number): Promise<Commit> {
    const repo = this.mustRepo(fullName);
    const pull = repo.pulls.find((p) => p.number === number);
    const result = pull && this.mergePull(repo, pull);
    if (!result || 'status' in result) throw new Error(`pull request #${number} cannot be merged`);
    for (const listener of this.mergeListeners)
      await listener({ repo: fullName, pull: pull, commit: result });
    return result;
  }

  close(fullName: string, number: number): void {
    const pull = this.mustRepo(fullName).pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no pull request #${number}`);
    pull.state = 'closed';
    pull.closedAt = new Date().toISOString();
  }

  deleteBranch(fullName: string, branch: string): void {
    this.mustRepo(fullName).git.branches.delete(branch);
  }

  onMerge(listener: MergeListener): void {
    this.mergeListeners.push(listener);
  }

  /** The next request gets this answer instead (e.g. a 403 rate limit with Retry-After). */
  failNext(reply: Reply): void {
    this.faults.push(reply);
  }

  private mustRepo(fullName: string): Repo {
    const repo = this.repos.get(fullName);
    if (!repo) throw new Error(`no repository ${fullName}`);
    return repo;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}`);
    let reply: Reply;
    try {
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {};
      reply = this.faults.shift() ?? this.route(method, url, body, req.headers.authorization);
    } catch {
      reply = { status: 400, body: errorBody(400, 'Problems parsing JSON') };
    }
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  private route(method: string, url: URL, body: Record<string, unknown>, authorization?: string): Reply {
    const credential = /^(?:token|bearer) (\S+)$/i.exec(authorization ?? '')?.[1];
    const appToken = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (appToken && method === 'POST') {
      const token = installationToken(this.options.app, Number(appToken[1]), credential);
      if ('status' in token) return token;
      this.tokens.add(token.token);
      return { status: 201, body: token };
    }
    if (!credential) return { status: 401, body: errorBody(401, 'Requires authentication') };
    if (!this.tokens.has(credential)) return { status: 401, body: errorBody(401, 'Bad credentials') };
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(.*)$/.exec(url.pathname);
    const repo = match && this.repos.get(`${match[1]}/${match[2]}`);
    if (!match || !repo) return notFound();
    const rest = (match[3] as string).split('/').map(decodeURIComponent).join('/');
    return this.repoRoute(repo, method, rest, url.searchParams, body);
  }

  private repoRoute(
    repo: Repo,
    method: string,
    rest: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): Reply {
    const { git } = repo;
    const ref = /^git\/refs?\/heads\/(.+)$/.exec(rest)?.[1];
    if (ref !== undefined && method === 'GET' && rest.startsWith('git/ref/')) {
      const sha = git.branches.get(ref);
      if (!sha) return notFound();
      return { status: 200, body: { ref: `refs/heads/${ref}`, object: { type: 'commit', sha } } };
    }
    if (rest === 'git/refs' && method === 'POST') {
      const name = /^refs\/heads\/(.+)$/.exec(String(body.ref ?? ''))?.[1];
      const sha = String(body.sha ?? '');
      if (!name)
        return {
          status: 422,
          body: errorBody(422, 'Reference name must start with refs/ and have at least two slashes.'),
        };
      if (!git.get(sha)) return { status: 422, body: errorBody(422, 'Object does not exist') };
      if (git.branches.has(name)) return { status: 422, body: errorBody(422, 'Reference already exists') };
      git.branches.set(name, sha);
      return { status: 201, body: { ref: `refs/heads/${name}`, object: { type: 'commit', sha } } };
    }
    if (ref !== undefined && method === 'PATCH' && rest.startsWith('git/refs/')) {
      const current = git.branches.get(ref);
      const sha = String(body.sha ?? '');
      if (!current) return { status: 422, body: errorBody(422, 'Reference does not exist') };
      if (!git.get(sha)) return { status: 422, body: errorBody(422, 'Object does not exist') };
      if (body.force !== true && !git.ancestors(sha).has(current)) {
        return { status: 422, body: errorBody(422, 'Update is not a fast forward') };
      }
      git.branches.set(ref, sha);
      return { status: 200, body: { ref: `refs/heads/${ref}`, object: { type: 'commit', sha } } };
    }
    const path = /^contents\/(.+)$/.exec(rest)?.[1];
    if (path !== undefined && method === 'GET')
      return this.getContents(repo, path, query.get('ref') ?? git.defaultBranch);
    if (path !== undefined && method === 'PUT') return this.putContents(repo, path, body);
    if (rest === 'pulls' && method === 'GET') return this.listPulls(repo, query);
    if (rest === 'pulls' && method === 'POST') return this.createPull(repo, body);
    const number = /^pulls\/(\d+)(\/merge)?$/.exec(rest);
    const pull = number && repo.pulls.find((p) => p.number === Number(number[1]));
    if (!number || !pull) return notFound();
    if (number[2] && method === 'PUT') {
      const merged = this.mergePull(repo, pull);
      return 'status' in merged
        ? merged
        : {
            status: 200,
            body: { sha: merged.sha, merged: true, message: 'Pull Request successfully merged' },
          };
    }
    if (method === 'GET') return { status: 200, body: pullJson(pull, repo, this.url, true) };
    if (method === 'PATCH') {
      if (typeof body.title === 'string') pull.title = body.title;
      if (typeof body.body === 'string') pull.body = body.body;
      if (body.state === 'open' && pull.state === 'closed' && !pull.merged) pull.state = 'open';
      if (body.state === 'closed' && pull.state === 'open') pull.state = 'closed';
      return { status: 200, body: pullJson(pull, repo, this.url, true) };
    }
    return notFound();
  }

  private getContents(repo: Repo, path: string, ref: string): Reply {
    const commit = repo.git.resolve(ref);
    if (!commit) return { status: 404, body: errorBody(404, `No commit found for the ref ${ref}`) };
    const content = commit.tree.get(path);
    if (content === undefined) return notFound();
    const encoded = Buffer.from(content, 'utf8')
      .toString('base64')
      .replace(/(.{60})/g, '$1\n');
    return {
      status: 200,
      body: {
        type: 'file',
        encoding: 'base64',
        size: Buffer.byteLength(content),
        name: path.split('/').pop(),
        path,
        content: encoded,
        sha: blobSha(content),
      },
    };
  }

  private putContents(repo: Repo, path: string, body: Record<string, unknown>): Reply {
    const { git } = repo;
    const branch = typeof body.branch === 'string' ? body.branch : git.defaultBranch;
    const parent = git.resolve(branch);
    if (typeof body.message !== 'string' || typeof body.content !== 'string') {
      return {
        status: 422,
        body: errorBody(422, 'Invalid request.\n\n"message" and "content" are required.'),
      };
    }
    if (!parent) return { status: 404, body: errorBody(404, `Branch ${branch} not found`) };
    const existing = parent.tree.get(path);
    if (existing !== undefined && body.sha === undefined) {
      return { status: 422, body: errorBody(422, 'Invalid request.\n\n"sha" wasn\'t supplied.') };
    }
    if (existing !== undefined && body.sha !== blobSha(existing)) {
      return { status: 409, body: errorBody(409, `${path} does not match ${String(body.sha)}`) };
    }
    const content = Buffer.from(body.content, 'base64').toString('utf8');
    const commit = git.commit(parent.sha, new Map(parent.tree).set(path, content), body.message);
    git.branches.set(branch, commit.sha);
    for (const pull of repo.pulls) pull.mergeableKnown = false;
    return {
      status: existing === undefined ? 201 : 200,
      body: {
        content: { path, sha: blobSha(content) },
        commit: { sha: commit.sha, message: commit.message },
      },
    };
  }

  private listPulls(repo: Repo, query: URLSearchParams): Reply {
    const state = query.get('state') ?? 'open';
    const head = query.get('head');
    const pulls = repo.pulls
      .filter((p) => state === 'all' || p.state === state)
      .filter((p) => !head || `${repo.owner}:${p.head}` === head)
      .filter((p) => !query.get('base') || p.base === query.get('base'))
      .sort((a, b) => b.number - a.number);
    return { status: 200, body: pulls.map((p) => pullJson(p, repo, this.url, false)) };
  }

  private createPull(repo: Repo, body: Record<string, unknown>): Reply {
    const { git } = repo;
    const head = String(body.head ?? '').replace(`${repo.owner}:`, '');
    const base = String(body.base ?? '');
    const headCommit = git.resolve(head);
    const baseCommit = git.resolve(base);
    const invalid = (field: string) => ({ resource: 'PullRequest', field, code: 'invalid' });
    if (!headCommit || !baseCommit) {
      return {
        status: 422,
        body: errorBody(422, 'Validation Failed', [invalid(headCommit ? 'base' : 'head')]),
      };
    }
    if (repo.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base)) {
      const message = `A pull request already exists for ${repo.owner}:${head}.`;
      return {
        status: 422,
        body: errorBody(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message }]),
      };
    }
    if (!git.hasChanges(baseCommit, headCommit)) {
      const message = `No commits between ${base} and ${head}`;
      return {
        status: 422,
        body: errorBody(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message }]),
      };
    }
    const pull: PullRequest = {
      number: repo.pulls.length + 1,
      title: String(body.title ?? ''),
      body: typeof body.body === 'string' ? body.body : null,
      head,
      base,
      state: 'open',
      merged: false,
      mergedAt: null,
      mergeCommitSha: null,
      closedAt: null,
      createdAt: new Date().toISOString(),
      user: 'retirement-bot[bot]',
      mergeableKnown: false,
    };
    repo.pulls.push(pull);
    return { status: 201, body: pullJson(pull, repo, this.url, true) };
  }

  private mergePull(repo: Repo, pull: PullRequest): Commit | Reply {
    const { git } = repo;
    const base = git.resolve(pull.base);
    const head = git.resolve(pull.head);
    if (pull.state !== 'open' || !base || !head)
      return { status: 405, body: errorBody(405, 'Pull Request is not mergeable') };
    const tree = git.mergedTree(base, head);
    if (!tree) return { status: 405, body: errorBody(405, 'Pull Request is not mergeable') };
    const commit = git.commit(
      base.sha,
      tree,
      `Merge pull request #${pull.number} from ${repo.owner}/${pull.head}`,
      head.sha,
    );
    git.branches.set(pull.base, commit.sha);
    const now = new Date().toISOString();
    Object.assign(pull, {
      state: 'closed',
      merged: true,
      mergedAt: now,
      closedAt: now,
      mergeCommitSha: commit.sha,
    });
    return commit;
  }
}

function notFound(): Reply {
  return { status: 404, body: errorBody(404, 'Not Found') };
}
