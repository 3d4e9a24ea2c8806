import type { Target } from '../config/catalog.js';
import type { Logger } from '../logging/logger.js';
import type { ApprovalPhase, Checkpoint, RunRecord } from './run-record.js';
import type { Summary } from './step-summary.js';

export interface StepContext {
  run: RunRecord;
  target: Target;
  /** What this step saved before a crash or retry; empty on the first try. */
  checkpoint: Checkpoint;
  /** Persists facts about side effects already done, before moving on to the next one. */
  saveCheckpoint(patch: Checkpoint): Promise<void>;
  /** Shows interim progress on the step's thread message (e.g. a build's status). */
  progress(summary: Summary): Promise<void>;
  /** True once someone asked to cancel; long steps poll it. */
  cancelRequested(): Promise<boolean>;
  logger: Logger;
}

export interface StepResult {
  summary: Summary;
  details?: string;
  /** True when the step changed something (for `plan`: would change); false when all was in place. */
  changed?: boolean;
}

export interface StepDefinition {
  id: string;
  title: string;
  /** Mutating steps belong to a phase, which production gates behind an approval. */
  phase?: ApprovalPhase;
  run(context: StepContext): Promise<StepResult>;
}

/** What a phase would change, computed read-only just before an approver is asked. */
export interface PhasePreview {
  /** False when the phase has nothing to do; no approval is then needed. */
  changes: boolean;
  summary: string;
}

export interface RunPlan {
  steps: StepDefinition[];
  previewPhase(
    phase: ApprovalPhase,
    context: Omit<StepContext, 'checkpoint' | 'saveCheckpoint' | 'progress'>,
  ): Promise<PhasePreview>;
}
