import { type Summary, summaryText } from './step-summary.js';

/**
 * Thrown by a step that waits on something outside the bot (a pull request's merge, Pulumi's
 * write to Vault): the run is parked like an approval, holding no worker, and its job comes back
 * at `until` to run the step again. `summary` is shown on the step meanwhile.
 */
export class RunParked extends Error {
  constructor(
    readonly until: number,
    readonly summary: Summary,
  ) {
    super(summaryText(summary));
    this.name = 'RunParked';
  }
}
