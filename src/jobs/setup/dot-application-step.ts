import { credentialsInPlace } from './oauth-credentials.js';
import type { SetupStep } from './setup-step.js';

/**
 * `create_dot_application`: exactly one client-credentials application for the worker. An
 * application whose credentials Vault already holds, and with which the LMS issues a token, is
 * left alone (not even re-saved). Otherwise the credentials stay in this run's memory for the
 * Vault step; only the client id is checkpointed.
 */
export const dotApplicationStep: SetupStep = {
  id: 'dot-application',
  title: 'OAuth (DOT) application',
  phase: 'lms',
  async apply(context, services) {
    const { target } = context;
    const edx = await services.edxWorker();
    const inPlace = await credentialsInPlace(target, services, await edx.inspect());
    if (inPlace) {
      services.memory.credentials = inPlace;
      return {
        summary: `Already in place: application \`${target.dotApplicationName}\` (client id \`${inPlace.id}\`), whose credentials Vault holds and the LMS accepts.`,
      };
    }
    const application = await edx.ensureDotApplication();
    services.memory.credentials = {
      id: application.clientId,
      secret: application.clientSecret,
      host: target.lmsUrl,
    };
    await context.saveCheckpoint({
      clientId: application.clientId,
      applicationId: application.applicationId,
    });
    const what = application.created ? 'Created' : 'Already in place:';
    return {
      summary: `${what} application \`${target.dotApplicationName}\` (id ${application.applicationId}, client id \`${application.clientId}\`).`,
    };
  },
  async preview({ target }, services) {
    const inspection = services.memory.inspection ?? (await (await services.edxWorker()).inspect());
    if (inspection.application.exists) {
      return {
        changes: false,
        summary: `Application \`${target.dotApplicationName}\` already exists (client id \`${inspection.application.clientId ?? '?'}\`).`,
      };
    }
    return {
      changes: true,
      summary: `Would create client-credentials application \`${target.dotApplicationName}\` for \`${target.workerUsername}\`.`,
    };
  },
};
