import { createHash } from 'node:crypto';
import { BotError } from '../../errors.js';
import { newCredentials } from './credentials-decision.js';
import type { SetupStep } from './setup-step.js';

/** A digest, never the secret, tells a resumed rotation whether its write reached Vault. */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * `/retirement rotate`: a new secret for the same client id, recorded in Vault (check-and-set)
 * before the LMS is converged to it. The digest is checkpointed before the write, so a run killed
 * around the write neither loses the new secret nor rotates twice.
 */
export const rotateSecretStep: SetupStep = {
  id: 'rotate-secret',
  title: 'Credentials: a new secret, recorded in Vault',
  phase: 'credentials',
  async apply(context, services) {
    const { target, checkpoint } = context;
    const stored = await services.credentials.read(target);
    if (stored) services.protectSecret(stored.secret);
    if (
      stored &&
      typeof checkpoint.rotatedDigest === 'string' &&
      secretDigest(stored.secret) === checkpoint.rotatedDigest
    ) {
      services.memory.credentials = stored;
      return { summary: `The new secret of client id \`${stored.id}\` is already in Vault.`, changed: true };
    }
    const lms = await (await services.edxWorker()).inspect();
    const clientId = lms.application.clientId ?? stored?.id;
    if (!clientId) {
      throw new BotError({
        code: 'nothing_to_rotate',
        userMessage: `${target.app} ${target.env} has no OAuth application and Vault holds no credentials: there is no secret to rotate. Run setup first.`,
        remedy: `Run \`/retirement setup ${target.app} ${target.env}\` first; it creates the application and its credentials.`,
      });
    }
    const credentials = newCredentials(target, clientId, services);
    await context.saveCheckpoint({ rotatedDigest: secretDigest(credentials.secret) });
    const result = await services.credentials.store(target, credentials);
    services.memory.credentials = credentials;
    const version = result.version === undefined ? '' : ` as version ${result.version}`;
    return {
      summary: `Wrote a new secret for client id \`${clientId}\` to \`${result.path}\`${version}; the LMS application gets it next.`,
      changed: true,
    };
  },
  async preview({ target }, services) {
    const stored = await services.credentials.read(target);
    if (stored) services.protectSecret(stored.secret);
    const lms = await (await services.edxWorker()).inspect();
    const clientId = lms.application.clientId ?? stored?.id ?? '(none)';
    const where = `${target.vault.mount}/${target.vault.path}`;
    return {
      changes: true,
      summary: `Would rotate the secret of client id \`${clientId}\` at \`${where}\`; the old secret stops working at once.`,
    };
  },
};
