import type { Target } from '../../config/catalog.js';
import type { ConcourseClient } from '../../integrations/concourse/concourse-client.js';
import type { EdxWorkerClient } from '../../integrations/edx-worker/edx-worker-client.js';
import type { CredentialStore, OAuthClientCredentials } from '../../integrations/vault/credential-store.js';

export type EdxWorkerOperations = Pick<
  EdxWorkerClient,
  | 'populateRetirementStates'
  | 'previewRetirementStates'
  | 'ensureWorkerUser'
  | 'ensureDotApplication'
  | 'inspect'
>;

export type EdxWorkerInspection = Awaited<ReturnType<EdxWorkerOperations['inspect']>>;

export type ConcourseOperations = Pick<
  ConcourseClient,
  | 'checkAccess'
  | 'getPipelineConfig'
  | 'diffConfig'
  | 'setPipeline'
  | 'getPipeline'
  | 'unpause'
  | 'listJobBuilds'
  | 'triggerJob'
  | 'waitForBuild'
>;

/** How long the first build may take, and how often it is polled. */
export interface BuildFollowTiming {
  pollMs: number;
  timeoutMs: number;
}

/**
 * Everything the setup steps talk to, for one run. The edx-worker connection is opened on first
 * use and closed with the run; the OAuth credentials live only in this object's memory.
 */
export interface SetupServices {
  edxWorker(): Promise<EdxWorkerOperations>;
  credentials: CredentialStore;
  concourse(target: Target): ConcourseOperations;
  verifyCredentials(credentials: OAuthClientCredentials): Promise<unknown>;
  buildTiming: BuildFollowTiming;
  memory: RunMemory;
}

/** Facts a run learns once and several steps need; never persisted (the secret is among them). */
export interface RunMemory {
  inspection?: EdxWorkerInspection;
  credentials?: OAuthClientCredentials;
}
