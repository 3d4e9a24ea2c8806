import { BotError } from '../../src/errors.js';
import type { RunPlanFactory } from '../../src/jobs/ports.js';
import type { StepDefinition } from '../../src/jobs/step-definition.js';

export interface ScriptedPlanOptions {
  /** Steps as [id, phase]; by default a preflight and one step per approval phase. */
  steps?: readonly (readonly [string, StepDefinition['phase']?])[];
  /** These steps fail once ("<id> broke on purpose."), then succeed. */
  failOnce?: Set<string>;
  /** These steps always fail with this message. */
  failures?: Record<string, string>;
  /** What each phase's preview says (read at every preview, so a test may change it). */
  previews?: Record<string, string>;
}

const DEFAULT_STEPS = [
  ['preflight'],
  ['lms', 'lms'],
  ['vault', 'credentials'],
  ['concourse', 'concourse'],
] as const;

/** Quick steps that record what they did, so a test can prove nothing ran twice or too early. */
export function scriptedPlan(effects: string[], options: ScriptedPlanOptions = {}): RunPlanFactory {
  const { failOnce = new Set<string>(), failures = {}, previews = {} } = options;
  const step = ([id, phase]: readonly [string, StepDefinition['phase']?]): StepDefinition => ({
    id,
    title: `Step ${id}`,
    ...(phase ? { phase } : {}),
    run: async () => {
      const failure = failOnce.delete(id) ? `${id} broke on purpose.` : failures[id];
      if (failure) throw new BotError({ code: 'scripted', userMessage: failure });
      effects.push(id);
      return { summary: `${id} ok` };
    },
  });
  const steps = (options.steps ?? DEFAULT_STEPS).map(step);
  return {
    create: () => ({
      plan: {
        steps,
        previewPhase: async (phase) => ({ changes: true, summary: previews[phase] ?? `${phase}: 1 change` }),
      },
      close: async () => undefined,
    }),
  };
}
