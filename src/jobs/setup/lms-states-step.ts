import type { SetupStep } from './setup-step.js';

function listed(states: string[]): string {
  return states.length === 0 ? 'none' : states.join(', ');
}

/** `populate_retirement_states`: the LMS's states must equal the catalog's, in order. */
export const lmsStatesStep: SetupStep = {
  id: 'lms-states',
  title: 'LMS retirement states',
  phase: 'lms',
  async apply({ target }, services) {
    const edx = await services.edxWorker();
    const result = await edx.populateRetirementStates();
    const summary = result.changed
      ? `Synchronised ${result.states.length} states (added: ${listed(result.added)}; removed: ${listed(result.removed)}).`
      : `All ${target.retirementStates.length} states already in place.`;
    return { summary, details: result.states.join(' → '), changed: result.changed };
  },
  async preview(_context, services) {
    const edx = await services.edxWorker();
    const result = await edx.previewRetirementStates();
    if (!result.changed) return { changes: false, summary: 'Retirement states already in place.' };
    return {
      changes: true,
      summary: `Would add states: ${listed(result.added)}; would remove: ${listed(result.removed)}.`,
      details: [...result.added.map((s) => `+ ${s}`), ...result.removed.map((s) => `- ${s}`)].join('\n'),
    };
  },
};
