import type { Target } from '../config/catalog.js';
import type { UsergroupMembers } from './ports.js';

/** Slack users and user groups, as the catalog names approvers and operators. */
export interface People {
  users: readonly string[];
  usergroups: readonly string[];
}

/**
 * Answers "is this user one of these people?" for a pair's approvers and operators. Group members
 * are looked up at every question, never cached, so a person removed from a group loses the right
 * at once (GitHub's required reviewers and Atlantis's apply requirements check at the click too).
 */
export class ApproverDirectory {
  constructor(private readonly members: UsergroupMembers) {}

  isApprover(target: Target, userId: string): Promise<boolean> {
    return this.isAmong(target.approval.approvers, userId);
  }

  isOperator(target: Target, userId: string): Promise<boolean> {
    return this.isAmong(target.operators, userId);
  }

  private async isAmong(people: People, userId: string): Promise<boolean> {
    if (people.users.includes(userId)) return true;
    for (const group of people.usergroups) {
      if ((await this.members(group)).includes(userId)) return true;
    }
    return false;
  }
}
