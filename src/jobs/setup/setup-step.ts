import type { PhasePreview, StepContext, StepDefinition, StepResult } from '../step-definition.js';
import type { SetupServices } from './setup-services.js';

/** What a step would do, for `plan` and for the approval message of its phase. */
export interface StepPreview extends PhasePreview {
  details?: string;
}

/**
 * One setup step: `apply` makes the change (idempotently, checkpointing side effects), `preview`
 * only reads. `plan` runs the previews; `setup` runs apply, behind approvals in production.
 */
export interface SetupStep extends Omit<StepDefinition, 'run'> {
  apply(context: StepContext, services: SetupServices): Promise<StepResult>;
  preview(
    context: Omit<StepContext, 'checkpoint' | 'saveCheckpoint' | 'progress'>,
    services: SetupServices,
  ): Promise<StepPreview>;
}
