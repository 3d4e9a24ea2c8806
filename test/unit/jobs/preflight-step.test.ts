import { describe, expect, it } from 'vitest';
import type { Target } from '../../../src/config/catalog.js';
import { preflightStep } from '../../../src/jobs/setup/preflight-step.js';
import type { SetupServices } from '../../../src/jobs/setup/setup-services.js';
import type { StepContext } from '../../../src/jobs/step-definition.js';
import { rejection } from '../../support/rejection.js';
import { testCatalog } from '../../support/test-catalog.js';

const untouchable = new Proxy({} as SetupServices, {
  get(_, property) {
    throw new Error(`preflight reached ${String(property)} although the catalog check should stop it`);
  },
});

describe('preflight', () => {
  it('refuses a pair whose LMS lacks the states the tubular pipeline moves learners through', async () => {
    const qa = testCatalog().get('mitxonline', 'qa') as Target;
    const minimal: Target = {
      ...qa,
      app: 'mitx',
      retirementStates: ['PENDING', 'ERRORED', 'ABORTED', 'COMPLETE'],
    };
    const error = await rejection(preflightStep.apply({ target: minimal } as StepContext, untouchable));
    expect(error.code).toBe('retirement_states_incomplete');
    expect(error.userMessage).toContain(
      'mitx qa is configured without the retirement states the tubular pipeline uses',
    );
    expect(error.userMessage).toContain('missing: RETIRING_FORUMS, FORUMS_COMPLETE, RETIRING_ENROLLMENTS');
    expect(error.retryable).toBe(false);
  });
});
