import type { ApprovalPhase, RunKind } from '../run-record.js';
import type { PhasePreview, RunPlan, StepDefinition } from '../step-definition.js';
import { concourseSetStep } from './concourse-set-step.js';
import { credentialsStep } from './credentials-step.js';
import { dotApplicationStep } from './dot-application-step.js';
import { firstBuildStep } from './first-build-step.js';
import { lmsStatesStep } from './lms-states-step.js';
import { preflightStep } from './preflight-step.js';
import { rotateSecretStep } from './rotate-secret-step.js';
import type { SetupServices } from './setup-services.js';
import type { SetupStep } from './setup-step.js';
import { unpauseStep } from './unpause-step.js';
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
  credentialsStep,
  dotApplicationStep,
  verifyCredentialsStep,
  concourseSetStep,
  unpauseStep,
  firstBuildStep,
];

/** `/retirement rotate`: a new secret for the same client id, Vault first, then the LMS, then proof. */
export const ROTATE_STEPS: readonly SetupStep[] = [
  preflightStep,
  rotateSecretStep,
  dotApplicationStep,
  verifyCredentialsStep,
];

/**
 * `setup` and `rotate` apply each step; `plan` runs the same steps read-only, each reporting what it would
 * change. Approvals preview a whole phase, so approvers see every change they are agreeing to.
 */
export function setupPlan(kind: RunKind, services: SetupServices): RunPlan {
  const steps = kind === 'rotate' ? ROTATE_STEPS : SETUP_STEPS;
  return {
    steps: steps.map((step) => (kind === 'plan' ? previewing(step, services) : applying(step, services))),
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

/** A plan keeps each step's phase for its thread; approvals never gate a plan (it changes nothing). */
function previewing(step: SetupStep, services: SetupServices): StepDefinition {
  return {
    id: step.id,
    title: step.title,
    phase: step.phase,
    async run(context) {
      const preview = await step.preview(context, services);
      return { summary: preview.summary, details: preview.details };
    },
  };
}
