import type { Target } from '../../config/catalog.js';
import type { BuildJson, PipelineJson } from '../../integrations/concourse/concourse-client.js';
import type {
  EdxWorkerInspection,
  RetirementStatesResult,
} from '../../integrations/edx-worker/edx-worker-client.js';
import type { SecretsOfRecord } from '../../integrations/github/secrets-of-record.js';
import type { CredentialStore, OAuthClientCredentials } from '../../integrations/vault/credential-store.js';

export type { EdxWorkerInspection } from '../../integrations/edx-worker/edx-worker-client.js';

/** The LMS management commands the steps run, through whichever transport reaches the LMS. */
export interface EdxWorkerOperations {
  populateRetirementStates(): Promise<RetirementStatesResult>;
  previewRetirementStates(): Promise<RetirementStatesResult>;
  ensureWorkerUser(): Promise<{ created: boolean; changedFlags: string[] }>;
  /**
   * Creates the application with these credentials, or sets them on the existing one; `before`,
   * an inspection the caller just made, spares another.
   */
  convergeDotApplication(
    credentials: { id: string; secret: string },
    before?: EdxWorkerInspection,
  ): Promise<{ created: boolean }>;
  /** Read-only: the worker user's flags and whether the application exists (never its secret). */
  inspect(): Promise<EdxWorkerInspection>;
}

/** What the steps do in one Concourse team. */
export interface ConcourseOperations {
  checkAccess(): Promise<void>;
  getPipelineConfig(pipeline: string): Promise<{ config: unknown; version: string } | undefined>;
  setPipeline(
    pipeline: string,
    config: unknown,
    expectedVersion: string | undefined,
  ): Promise<{ created: boolean; warnings: string[] }>;
  getPipeline(pipeline: string): Promise<PipelineJson | undefined>;
  unpause(pipeline: string): Promise<void>;
  listJobBuilds(pipeline: string, job: string, limit: number): Promise<BuildJson[]>;
  triggerJob(pipeline: string, job: string): Promise<BuildJson>;
  waitForBuild(
    id: number,
    options: BuildFollowTiming & {
      onStatus?: (build: BuildJson) => void;
      cancelled?: () => Promise<boolean>;
    },
  ): Promise<BuildJson>;
}

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
  /** Fresh credentials, crypto-random as django-oauth-toolkit generates them. */
  generate: { clientId(): string; clientSecret(): string };
  /** Every secret the run learns is scrubbed from logs and Slack text from then on. */
  protectSecret(secret: string): void;
  buildTiming: BuildFollowTiming;
  /** The sops pull request of record, for pairs whose catalog records credentials that way. */
  secretsOfRecord: SecretsOfRecord;
  recordTiming: RecordWaitTiming;
  memory: RunMemory;
}

/** How often a run parked on the pull request (or on Pulumi's write to Vault) checks, and how long it waits. */
export interface RecordWaitTiming {
  pollMs: number;
  waitMs: number;
}

/** Facts a run learns once and several steps need; never persisted (the secret is among them). */
export interface RunMemory {
  inspection?: EdxWorkerInspection;
  credentials?: OAuthClientCredentials;
}
