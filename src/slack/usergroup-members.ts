import type { webApi } from '@slack/bolt';
import { BotError } from '../errors.js';
import type { UsergroupMembers } from '../jobs/ports.js';
import { slackPlatformError } from './slack-errors.js';
import type { SlackRateGate } from './slack-rate-gate.js';

/** Why Slack would not list a group's members, in words an approver can act on. */
const REFUSALS: Record<string, (group: string) => string> = {
  missing_scope: (group) =>
    `I cannot check who is in approver group ${group}: the Slack app lacks the \`usergroups:read\` permission (Slack answered missing_scope). A workspace admin must add it and reinstall the app.`,
  plan_upgrade_required: (group) =>
    `I cannot check who is in approver group ${group}: Slack user groups need a paid plan (Slack answered plan_upgrade_required). List approvers by user id in the catalog instead.`,
  no_such_subteam: (group) =>
    `Approver group ${group} does not exist in this workspace (Slack answered no_such_subteam); fix the catalog.`,
};

/**
 * Looks group members up at the time of each click (usergroups.users.list), so a person removed
 * from a group loses the right at once. Any failure is a refusal: nothing is decided on a guess.
 */
export function usergroupMembers(client: webApi.WebClient, gate: SlackRateGate): UsergroupMembers {
  return async (usergroup) => {
    try {
      const answer = await gate.call('usergroups.users.list', () =>
        client.usergroups.users.list({ usergroup }),
      );
      return answer.users ?? [];
    } catch (error) {
      const code = slackPlatformError(error);
      const group = `<!subteam^${usergroup}>`;
      const refusal = code ? REFUSALS[code] : undefined;
      throw new BotError({
        code: 'approver_lookup_failed',
        userMessage: `${refusal ? refusal(group) : `Slack did not tell me who is in approver group ${group}; try again in a moment.`} Nothing was done.`,
        detail: code ?? (error instanceof Error ? error.message : String(error)),
        retryable: !refusal,
        cause: error,
      });
    }
  };
}
