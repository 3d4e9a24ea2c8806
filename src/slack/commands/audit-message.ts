import type { AuditLog } from '../../jobs/audit-log.js';
import { readAuditTrail } from '../../jobs/audit-trail.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackDate } from '../slack-date.js';

/** Slack shows at most this many lines of an ephemeral answer comfortably; a run has a few dozen. */
const MAX_LINES = 60;

/** `/retirement audit <run-id>`: who asked, who approved and when, what each step did. */
export async function auditMessage(runId: string, audit: AuditLog): Promise<string> {
  const trail = await readAuditTrail(audit, runId);
  if (trail.length === 0)
    return `No audit entries for run \`${runId}\` (unknown run, or older than the trail keeps).`;
  const shown = trail.slice(-MAX_LINES);
  const lines = shown.map((line) => {
    const when = Number.isNaN(Date.parse(line.at)) ? escapeMrkdwn(line.at) : slackDate(Date.parse(line.at));
    const who = line.who ? ` ${whoMrkdwn(line.who)}` : '';
    return `• ${when}${who}: ${escapeMrkdwn(line.what)}`;
  });
  const cut =
    trail.length > shown.length ? [`(${trail.length - shown.length} earlier entries not shown)`] : [];
  return [`*Audit trail of run \`${runId}\`*`, ...cut, ...lines].join('\n');
}

/** Slack user ids become mentions; terminal users (`cli:alice`) are shown as they are. */
function whoMrkdwn(who: string): string {
  return /^[UW][A-Z0-9]+$/.test(who) ? `<@${who}>` : escapeMrkdwn(who);
}
