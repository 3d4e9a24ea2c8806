import { BotError } from '../../errors.js';
import type { SetupStep } from './setup-step.js';
import { proposedPullNumber, pullLink, sopsRecordOf, waitOrPark } from './sops-record.js';

/**
 * Waits for a person to merge the pull request, parked between checks so no worker is held.
 * Closed without merging ends the run: nothing else changed, and the closed pull request stands.
 */
export const secretsMergeStep: SetupStep = {
  id: 'secrets-merge',
  title: 'The sops pull request is merged',
  phase: 'credentials',
  async apply(context, services) {
    const { target, run } = context;
    const record = sopsRecordOf(target);
    const number = proposedPullNumber(run);
    if (number === 0) return { summary: 'No pull request was needed.' };
    const pull = await services.secretsOfRecord.pull(record, number);
    const where = pullLink(pull);
    if (pull.merged_at !== null) return { summary: [where, ' was merged.'] };
    if (pull.state === 'closed') {
      throw new BotError({
        code: 'secrets_pull_request_closed',
        userMessage: `Pull request #${pull.number} was closed without merging, so the credentials were not changed (Vault, the LMS and the pipeline are as they were). To propose them again, delete its branch and run setup again.`,
        links: [where],
      });
    }
    return waitOrPark(
      context,
      services,
      ['Waiting for ', where, ` on \`${record.sops.file}\` to be merged`],
      new BotError({
        code: 'secrets_pull_request_not_merged',
        userMessage: `Pull request #${pull.number} was not merged in time; it stays open. Run setup again once it is merged.`,
        links: [where],
      }),
    );
  },
  async preview() {
    return { changes: false, summary: 'Would wait for the pull request to be merged.' };
  },
};
