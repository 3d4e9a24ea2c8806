import type { GitStore } from './git-store.js';

/** A pull request as the emulator keeps it; `toJson` renders GitHub's REST shape. */
export interface PullRequest {
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  closedAt: string | null;
  createdAt: string;
  user: string;
  /** GitHub computes mergeability in the background: the first read after a push answers null. */
  mergeableKnown: boolean;
}

export function pullJson(
  pull: PullRequest,
  repo: { owner: string; name: string; git: GitStore },
  apiUrl: string,
  detailed: boolean,
) {
  const fullName = `${repo.owner}/${repo.name}`;
  const headSha = repo.git.branches.get(pull.head) ?? null;
  const baseSha = repo.git.branches.get(pull.base) ?? null;
  const json = {
    url: `${apiUrl}/repos/${fullName}/pulls/${pull.number}`,
    html_url: `https://github.com/${fullName}/pull/${pull.number}`,
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    user: { login: pull.user, type: 'Bot' },
    created_at: pull.createdAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    draft: false,
    head: { label: `${repo.owner}:${pull.head}`, ref: pull.head, sha: headSha },
    base: { label: `${repo.owner}:${pull.base}`, ref: pull.base, sha: baseSha },
  };
  if (!detailed) return json;
  const known = mergeable(pull, repo.git);
  const state = known === null ? 'unknown' : known ? 'clean' : 'dirty';
  return { ...json, merged: pull.merged, mergeable: known, mergeable_state: state };
}

function mergeable(pull: PullRequest, git: GitStore): boolean | null {
  if (pull.state !== 'open') return null;
  if (!pull.mergeableKnown) {
    pull.mergeableKnown = true;
    return null;
  }
  const base = git.resolve(pull.base);
  const head = git.resolve(pull.head);
  return Boolean(base && head && git.mergedTree(base, head));
}
