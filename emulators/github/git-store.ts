import { createHash, randomBytes } from 'node:crypto';

/** One commit: the whole tree (path → content), as the emulator needs no blobs of its own. */
export interface Commit {
  sha: string;
  parents: string[];
  message: string;
  tree: ReadonlyMap<string, string>;
}

/** Git's blob id (`git hash-object`), which the contents API returns as a file's `sha`. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
    .digest('hex');
}

/** A repository's commits and branches; enough git for refs, contents and merges. */
export class GitStore {
  private readonly commits = new Map<string, Commit>();
  readonly branches = new Map<string, string>();

  constructor(readonly defaultBranch: string) {}

  commit(
    parent: string | undefined,
    tree: ReadonlyMap<string, string>,
    message: string,
    second?: string,
  ): Commit {
    const sha = createHash('sha1').update(randomBytes(16)).digest('hex');
    const commit = { sha, parents: [parent, second].filter((p): p is string => Boolean(p)), message, tree };
    this.commits.set(sha, commit);
    return commit;
  }

  get(sha: string): Commit | undefined {
    return this.commits.get(sha);
  }

  /** A branch name or a commit sha, as `?ref=` accepts them. */
  resolve(ref: string): Commit | undefined {
    const sha = this.branches.get(ref) ?? ref;
    return this.commits.get(sha);
  }

  /** Every commit reachable from `sha`. */
  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const pending = [sha];
    while (pending.length > 0) {
      const next = pending.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(...(this.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  /** The newest commit of `head`'s history that `base` also has (breadth-first from head). */
  mergeBase(base: string, head: string): Commit | undefined {
    const inBase = this.ancestors(base);
    const queue = [head];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const sha = queue.shift() as string;
      if (inBase.has(sha)) return this.commits.get(sha);
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return undefined;
  }

  /**
   * A three-way merge by whole files: head's changes since the merge base, applied to base. Both
   * sides changing one file differently is a conflict (undefined), as GitHub's `mergeable: false`.
   */
  mergedTree(base: Commit, head: Commit): Map<string, string> | undefined {
    const fork = this.mergeBase(base.sha, head.sha);
    const forkTree = fork?.tree ?? new Map<string, string>();
    const merged = new Map(base.tree);
    const paths = new Set([...forkTree.keys(), ...head.tree.keys()]);
    for (const path of paths) {
      const ours = head.tree.get(path);
      if (ours === forkTree.get(path)) continue;
      const theirs = base.tree.get(path);
      if (theirs !== forkTree.get(path) && theirs !== ours) return undefined;
      if (ours === undefined) merged.delete(path);
      else merged.set(path, ours);
    }
    return merged;
  }

  /** Whether `head`'s tree brings anything `base` lacks ("No commits between …" otherwise). */
  hasChanges(base: Commit, head: Commit): boolean {
    return !this.ancestors(base.sha).has(head.sha);
  }
}
