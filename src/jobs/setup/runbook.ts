import type { ApprovalPhase, RunKind } from '../run-record.js';
import type { PhasePreview, RunPlan, StepDefinition } from '../step-definition.js';
import { concourseSetStep } from './concourse-set-step.js';
import { dotApplicationStep } from './dot-application-step.js';
import { firstBuildStep } from './first-build-step.js';
import { lmsStatesStep } from './lms-states-step.js';
import { preflightStep } from './preflight-step.js';
import type { SetupServices } from './setup-services.js';
import type { SetupStep } from './setup-step.js';
import { unpauseStep } from './unpause-step.js';
import { vaultWriteStep } from './vault-write-step.js';
import { verifyCredentialsStep } from './verify-credentials-step.js';
import { workerUserStep } from './worker-user-step.js';

/**
 * The runbook, top to bottom: each step's file is named by its id. Steps of one phase are
 * approved together in production, before the phase's first step.
 */
export const SETUP_STEPS: readonly SetupStep[] = [
  preflightStep,
  lmsStatesStep,
  workerUserStep,
  dotApplicationStep,
  vaultWriteStep,
  verifyCredentialsStep,
  concourseSetStep,
  unpauseStep,
  firstBuildStep,
];

/**
 * `setup` applies each step; `plan` runs the same steps read-only, each reporting what it would
 * change. Approvals preview a whole phase, so approvers see every change they are agreeing to.
 */
export function setupPlan(kind: RunKind, services: SetupServices, steps = SETUP_STEPS): RunPlan {
  return {
    steps: steps.map((step) => (kind === 'setup' ? applying(step, services) : previewing(step, services))),
    async previewPhase(phase: ApprovalPhase, context): Promise<PhasePreview> {
      const previews = [];
      for (const step of steps.filter((s) => s.phase === phase)) {
        previews.push({ step, preview: await step.preview(context, services) });
      }
      const changing = previews.filter((p) => p.preview.changes);
      return {
        changes: changing.length > 0,
        summary: previews.map((p) => `• ${p.step.title}: ${p.preview.summary}`).join('\n'),
      };
    },
  };
}

function applying(step: SetupStep, services: SetupServices): StepDefinition {
  return {
    id: step.id,
    title: step.title,
    phase: step.phase,
    run: (context) => step.apply(context, services),
  };
}

function previewing(step: SetupStep, services: SetupServices): StepDefinition {
  return {
    id: step.id,
    title: step.title,
    async run(context) {
      const preview = await step.preview(context, services);
      return { summary: preview.summary, details: preview.details };
    },
  };
}
