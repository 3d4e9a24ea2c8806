import type { Target } from '../config/catalog.js';
import type { UsergroupMembers } from './ports.js';

/** Answers "may this user decide on this pair's approvals?", caching group members briefly. */
export class ApproverDirectory {
  private readonly cache = new Map<string, { users: string[]; until: number }>();

  constructor(
    private readonly members: UsergroupMembers,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async isApprover(target: Target, userId: string): Promise<boolean> {
    if (target.approval.approvers.users.includes(userId)) return true;
    for (const group of target.approval.approvers.usergroups) {
      if ((await this.groupMembers(group)).includes(userId)) return true;
    }
    return false;
  }

  private async groupMembers(group: string): Promise<string[]> {
    const cached = this.cache.get(group);
    if (cached && cached.until > this.now()) return cached.users;
    const users = await this.members(group);
    this.cache.set(group, { users, until: this.now() + this.ttlMs });
    return users;
  }
}
