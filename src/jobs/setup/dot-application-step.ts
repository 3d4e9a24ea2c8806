import {
  acceptedByLms,
  clientIdWording,
  decideCredentials,
  recordedCredentials,
} from './credentials-decision.js';
import type { SetupStep } from './setup-step.js';

/**
 * `create_dot_application … --client-id … --client-secret … --update`: the LMS application is
 * converged to the credentials Vault holds (created if absent, never a second one). One that
 * already holds them, as a token request proves, is left alone, not even re-saved.
 */
export const dotApplicationStep: SetupStep = {
  id: 'dot-application',
  title: 'LMS: the OAuth (DOT) application holds the credentials',
  phase: 'credentials',
  async apply({ target }, services) {
    const credentials = await recordedCredentials(target, services);
    const edx = await services.edxWorker();
    const name = `\`${target.dotApplicationName}\``;
    const lms = await edx.inspect();
    if (lms.application.clientId === credentials.id && (await acceptedByLms(credentials, services))) {
      return {
        summary: `Already in place: application ${name} (client id \`${credentials.id}\`) accepts them.`,
        changed: false,
      };
    }
    const { created } = await edx.convergeDotApplication(credentials, lms);
    return {
      summary: `${created ? 'Created' : 'Updated'} application ${name} with client id \`${credentials.id}\` and the secret from Vault.`,
      changed: true,
    };
  },
  async preview({ target }, services) {
    const name = `\`${target.dotApplicationName}\``;
    const decision = await decideCredentials(target, services);
    const { lms } = decision;
    if (decision.kind === 'replace') {
      return {
        changes: true,
        summary: lms.application.exists
          ? `Would set the new secret on application ${name} (${clientIdWording(decision.clientId)}); the old one stops working.`
          : `Would create client-credentials application ${name} for \`${target.workerUsername}\` with the new credentials.`,
      };
    }
    const { credentials } = decision;
    if (lms.application.clientId === credentials.id && (await acceptedByLms(credentials, services))) {
      return { changes: false, summary: `Application ${name} already holds the credentials Vault holds.` };
    }
    return {
      changes: true,
      summary: lms.application.exists
        ? `Would converge application ${name} to client id \`${credentials.id}\` and the secret Vault holds.`
        : `Would create application ${name} with client id \`${credentials.id}\` and the secret Vault holds.`,
    };
  },
};
