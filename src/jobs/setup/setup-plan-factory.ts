import type { Target } from '../../config/catalog.js';
import type { CredentialStore, OAuthClientCredentials } from '../../integrations/vault/credential-store.js';
import type { RunPlanFactory } from '../ports.js';
import type { RunRecord } from '../run-record.js';
import { setupPlan } from './runbook.js';
import type {
  BuildFollowTiming,
  ConcourseOperations,
  EdxWorkerOperations,
  SetupServices,
} from './setup-services.js';

/** Long-lived clients shared by every run; the edx-worker connection is per run. */
export interface SetupDependencies {
  /** Opens one connection to the target's edx-worker; `close` ends it. */
  connectEdxWorker(target: Target): Promise<{ client: EdxWorkerOperations; close(): Promise<void> }>;
  credentials: CredentialStore;
  concourse(target: Target): ConcourseOperations;
  verifyCredentials(credentials: OAuthClientCredentials): Promise<unknown>;
  generate: SetupServices['generate'];
  protectSecret(secret: string): void;
  buildTiming: BuildFollowTiming;
  secretsOfRecord: SetupServices['secretsOfRecord'];
  recordTiming: SetupServices['recordTiming'];
}

export function setupPlanFactory(dependencies: SetupDependencies): RunPlanFactory {
  return {
    create(run: RunRecord, target: Target) {
      let connection: ReturnType<SetupDependencies['connectEdxWorker']> | undefined;
      const services: SetupServices = {
        edxWorker: async () => {
          connection ??= dependencies.connectEdxWorker(target);
          // A failed connect is not cached: the next step (or retry) tries again.
          return (
            await connection.catch((error: unknown) => {
              connection = undefined;
              throw error;
            })
          ).client;
        },
        credentials: dependencies.credentials,
        concourse: dependencies.concourse,
        verifyCredentials: dependencies.verifyCredentials,
        generate: dependencies.generate,
        protectSecret: dependencies.protectSecret,
        buildTiming: dependencies.buildTiming,
        secretsOfRecord: dependencies.secretsOfRecord,
        recordTiming: dependencies.recordTiming,
        memory: {},
      };
      return {
        plan: setupPlan(run, services, target),
        async close() {
          const open = connection;
          connection = undefined;
          if (open) await (await open.catch(() => undefined))?.close();
        },
      };
    },
  };
}
