import type { RunRecord } from './run-record.js';

/**
 * Shows a run to people: the Slack status card and thread, or a terminal. `publish` renders the
 * whole run idempotently (edits what it already posted) and may return a change to store in the
 * run record, such as the ts of a message it just posted.
 */
export interface RunReporter {
  publish(run: RunRecord): Promise<((run: RunRecord) => RunRecord | undefined) | undefined>;
}
