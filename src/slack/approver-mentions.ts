import type { Target } from '../config/catalog.js';

/** How approvers are named in Slack messages: user and user-group mentions. */
export function approverMentions(target: Target | undefined): string {
  if (!target) return 'nobody (the pair is no longer configured)';
  const { users, usergroups } = target.approval.approvers;
  return [...users.map((u) => `<@${u}>`), ...usergroups.map((g) => `<!subteam^${g}>`)].join(', ') || 'nobody';
}
