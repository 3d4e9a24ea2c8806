import type { Target } from '../../config/catalog.js';
import type { ApprovalPhase, RunRecord } from '../run-record.js';
import type { PhasePreview, RunPlan, StepDefinition } from '../step-definition.js';
import { breakGlassCredentialsStep } from './break-glass-credentials-step.js';
import { concourseSetStep } from './concourse-set-step.js';
import { credentialsStep } from './credentials-step.js';
import { dotApplicationStep } from './dot-application-step.js';
import { firstBuildStep } from './first-build-step.js';
import { lmsStatesStep } from './lms-states-step.js';
import { preflightStep } from './preflight-step.js';
import { pulumiDeployStep } from './pulumi-deploy-step.js';
import { rotateSecretStep } from './rotate-secret-step.js';
import { secretsMergeStep } from './secrets-merge-step.js';
import type { SetupServices } from './setup-services.js';
import type { SetupStep, StepPreview } from './setup-step.js';
import { sopsCredentialsStep } from './sops-credentials-step.js';
import { sopsRotateStep } from './sops-rotate-step.js';
import { unpauseStep } from './unpause-step.js';
import { vaultHoldsStep } from './vault-holds-step.js';
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

/**
 * Where the catalog records the credentials through a sops pull request, the credentials step
 * proposes them there and the run waits for the merge (and the job Pulumi needs, if any) and for
 * Vault to hold them, before the LMS application is converged to them.
 */
function setupSteps(target: Target, breakGlass: boolean): readonly SetupStep[] {
  const record = target.credentials.record;
  if (record === 'vault') return SETUP_STEPS;
  // Break-glass writes Vault itself, so the run goes on without waiting for the merge.
  const recordSteps = breakGlass
    ? [breakGlassCredentialsStep]
    : [
        sopsCredentialsStep,
        secretsMergeStep,
        ...(record.afterMerge ? [pulumiDeployStep] : []),
        vaultHoldsStep,
      ];
  return SETUP_STEPS.flatMap((step) => (step === credentialsStep ? recordSteps : [step]));
}

/** A rotation on a sops pair goes through the pull request as a setup does, then to the LMS. */
function rotateSteps(target: Target): readonly SetupStep[] {
  const record = target.credentials.record;
  if (record === 'vault') return ROTATE_STEPS;
  const recordSteps = [
    sopsRotateStep,
    secretsMergeStep,
    ...(record.afterMerge ? [pulumiDeployStep] : []),
    vaultHoldsStep,
  ];
  return ROTATE_STEPS.flatMap((step) => (step === rotateSecretStep ? recordSteps : [step]));
}

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
export function setupPlan(
  run: Pick<RunRecord, 'kind' | 'breakGlass'>,
  services: SetupServices,
  target: Target,
): RunPlan {
  const { kind } = run;
  const steps = kind === 'rotate' ? rotateSteps(target) : setupSteps(target, run.breakGlass === true);
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
        summary: previews.map(({ step, preview }) => describePreview(step.title, preview)).join('\n'),
      };
    },
  };
}

/** One step of a phase's preview: its summary, then the detail of what it would change, indented. */
function describePreview(title: string, preview: StepPreview): string {
  const head = `• ${title}: ${preview.summary}`;
  if (!preview.changes || !preview.details) return head;
  return [head, ...preview.details.split('\n').map((line) => `    ${line}`)].join('\n');
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
      return { summary: preview.summary, details: preview.details, changed: preview.changes };
    },
  };
}
