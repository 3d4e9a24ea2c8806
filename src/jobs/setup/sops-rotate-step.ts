import { BotError } from '../../errors.js';
import { newCredentials } from './credentials-decision.js';
import { secretDigest } from './rotate-secret-step.js';
import type { SetupStep } from './setup-step.js';
import { pullLink, pullRequestContext, sopsRecordOf } from './sops-record.js';

/**
 * `/retirement rotate` on a sops pair: a new secret for the same client id, proposed in the
 * pair's pull request; the LMS gets it only once Vault holds it after the merge. The new secret's
 * digest is checkpointed before the proposal, so a resumed rotation finds its own secret on the
 * pull request's branch instead of rotating twice.
 */
export const sopsRotateStep: SetupStep = {
  id: 'rotate-secret',
  title: 'Credentials: a new secret, proposed in the sops pull request',
  phase: 'credentials',
  async apply(context, services) {
    const { target, run, checkpoint } = context;
    const record = sopsRecordOf(target);
    const stored = await services.credentials.read(target);
    if (stored) services.protectSecret(stored.secret);
    const lms = await (await services.edxWorker()).inspect();
    const clientId = lms.application.clientId ?? stored?.id;
    if (!clientId) {
      throw new BotError({
        code: 'nothing_to_rotate',
        userMessage: `${target.app} ${target.env} has no OAuth application and Vault holds no credentials: there is no secret to rotate. Run setup first.`,
      });
    }
    const open = await services.secretsOfRecord.openProposal(target, record);
    if (open?.credentials) services.protectSecret(open.credentials.secret);
    const ours =
      open?.credentials &&
      open.credentials.id === clientId &&
      secretDigest(open.credentials.secret) === checkpoint.rotatedDigest;
    const credentials =
      ours && open?.credentials ? open.credentials : newCredentials(target, clientId, services);
    if (!ours) await context.saveCheckpoint({ rotatedDigest: secretDigest(credentials.secret) });
    const outcome = await services.secretsOfRecord.propose(record, credentials, pullRequestContext(run));
    services.memory.credentials = credentials;
    const number = outcome.kind === 'proposed' ? outcome.pull.number : 0;
    await context.saveCheckpoint({ pullNumber: number });
    return {
      summary:
        outcome.kind === 'proposed'
          ? [
              `Proposed a new secret for client id \`${clientId}\` in `,
              pullLink(outcome.pull),
              '; the LMS application gets it once Vault holds it.',
            ]
          : `\`${record.sops.file}\` already holds the new secret for client id \`${clientId}\`.`,
    };
  },
  async preview({ target }, services) {
    const record = sopsRecordOf(target);
    const stored = await services.credentials.read(target);
    if (stored) services.protectSecret(stored.secret);
    const lms = await (await services.edxWorker()).inspect();
    const clientId = lms.application.clientId ?? stored?.id ?? '(none)';
    const key = await services.secretsOfRecord.transitKey(record);
    return {
      changes: true,
      summary: `Would propose a new secret for client id \`${clientId}\` in a pull request on \`${record.sops.file}\` (key \`pipelines.${record.sops.key}\`), and converge the LMS once the merge reaches Vault. To edit the file the bot's token needs \`update\` on \`${key.enginePath}/decrypt/${key.keyName}\` at ${key.vaultAddress}, and with it can read every secret in that file.`,
    };
  },
};
