import type { SetupStep } from './setup-step.js';

/** New pipelines start paused in Concourse; this one must run weekly. */
export const unpauseStep: SetupStep = {
  id: 'unpause',
  title: 'Concourse: unpause the pipeline',
  phase: 'concourse',
  async apply({ target }, services) {
    const concourse = services.concourse(target);
    const { pipeline } = target.concourse;
    const state = await concourse.getPipeline(pipeline);
    if (state && !state.paused) return { summary: `\`${pipeline}\` is already running.`, changed: false };
    await concourse.unpause(pipeline);
    return { summary: `Unpaused \`${pipeline}\`.`, changed: true };
  },
  async preview({ target }, services) {
    const state = await services.concourse(target).getPipeline(target.concourse.pipeline);
    if (state && !state.paused) return { changes: false, summary: 'The pipeline is already unpaused.' };
    return { changes: true, summary: 'Would unpause the pipeline.' };
  },
};
