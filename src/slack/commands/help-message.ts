import type { Catalog } from '../../config/catalog.js';
import { escapeMrkdwn } from '../mrkdwn.js';

/**
 * The `/retirement help` answer; also the answer to an empty `/retirement`. It holds no link or
 * mention, so all of it is escaped: `<app>` must reach Slack as `&lt;app&gt;` to show as text.
 */
export function helpMessage(catalog: Catalog): string {
  return escapeMrkdwn(
    [
      '*retirement-bot* sets up and reports on the Open edX learner-retirement pipeline.',
      '• `/retirement setup <app> <env>`: run the setup (LMS states, worker user, OAuth app, Vault, Concourse); production steps wait for approval',
      '• `/retirement plan <app> <env>`: show what a setup would change, changing nothing',
      '• `/retirement rotate <app> <env>`: a new client secret (same client id): Vault first, then the LMS, then a token check',
      '• `/retirement check <app> <env>`: the drift check now (credentials, LMS application, pipeline, last build), posted here',
      '• `/retirement status [<app> <env>]`: the pipeline and the last run; without arguments, every pair',
      '• `/retirement history [<app> <env>]`: recent runs',
      '• `/retirement cancel <run-id>`: stop a queued, waiting or running run',
      "• `/retirement audit <run-id>`: the run's audit trail: requests, approvals (who, when), step outcomes, cancels, retries",
      '• `/retirement list`: the configured apps and environments',
      `Apps: ${catalog.apps().join(', ')}. Environments: ${catalog.environments().join(', ')}.`,
      'You can also mention me: `@retirement-bot status of mitxonline production?`',
    ].join('\n'),
  );
}
