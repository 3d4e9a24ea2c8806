import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../../src/config/catalog.js';
import { meaningfulLines } from '../../../src/integrations/edx-worker/command-output.js';
import { EdxWorkerClient } from '../../../src/integrations/edx-worker/edx-worker-client.js';
import type { ExecResult } from '../../../src/integrations/edx-worker/exec-transport.js';
import { parseRetirementStatesOutput } from '../../../src/integrations/edx-worker/retirement-states-output.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { rejection } from '../../support/rejection.js';
import { testCatalog } from '../../support/test-catalog.js';

const STATES = ['PENDING', 'ERRORED', 'ABORTED', 'COMPLETE'];

/** populate_retirement_states' stdout: every line print()ed by the command. */
const STDOUT = `States have been synchronized. Differences:
   Added: {'PENDING', 'ERRORED', 'ABORTED', 'COMPLETE'}
   Removed: set()
   Remaining: set()
States updated successfully. Current states:
PENDING (step 1)
ERRORED (step 11)
ABORTED (step 21)
COMPLETE (step 31)
`;

/** A busy worker's stderr for the same run: a warning whose source line is not warnings.warn(, and INFO logs. */
const NOISY_STDERR = `/edx/app/edxapp/venvs/edxapp/lib/python3.8/site-packages/django/apps/registry.py:91: RemovedInDjango41Warning: 'lms.djangoapps.courseware' defines default_app_config = 'lms.djangoapps.courseware.apps.CoursewareConfig'. Django now detects this configuration automatically. You can remove default_app_config.
  app_config = AppConfig.create(entry)
2026-11-25 06:15:22,459 INFO 22945 [openedx.core.djangoapps.plugins.plugin_apps] [user None] [ip None] manage.py:54 - Loaded plugin apps for lms: []
2026-11-25 06:15:22,501 INFO 22945 [edx.analytics.segment] [user None] [ip None] __init__.py:1489 - Flushed 0 queued analytics events
`;

function client(result: ExecResult): EdxWorkerClient {
  const base = testCatalog().get('mitxonline', 'qa') as Target;
  const redactor = new SecretRedactor();
  return new EdxWorkerClient({
    transport: {
      describe: () => 'edx-worker test',
      manage: async () => result,
      close: async () => undefined,
    },
    target: { ...base, retirementStates: STATES },
    redactor,
    logger: createLogger({
      level: 'silent',
      redactor,
      destination: new Writable({ write: (_c, _e, done) => done() }),
    }),
  });
}

describe('populate_retirement_states with stdout and stderr apart', () => {
  it('reads the states from stdout, whatever stderr carries', async () => {
    const edx = client({ stdout: STDOUT, stderr: NOISY_STDERR, code: 0, signal: null });
    expect(await edx.populateRetirementStates()).toEqual({
      changed: true,
      added: ['ABORTED', 'COMPLETE', 'ERRORED', 'PENDING'],
      removed: [],
      states: STATES,
    });
    expect((await edx.previewRetirementStates()).states).toEqual(STATES);
  });

  it('does not take stderr for the report when stdout has none', async () => {
    const error = await rejection(
      client({
        stdout: '',
        stderr: `${NOISY_STDERR}${STDOUT}`,
        code: 0,
        signal: null,
      }).populateRetirementStates(),
    );
    expect(error.code).toBe('edx_unexpected_output');
    expect(error.userMessage).toContain('no output');
  });

  it('still quotes stderr when the command exits non-zero', async () => {
    const stderr = `${NOISY_STDERR}CommandError: settings.RETIREMENT_STATES does not exist or is empty.\n`;
    const error = await rejection(
      client({ stdout: '', stderr, code: 1, signal: null }).populateRetirementStates(),
    );
    expect(error.code).toBe('edx_command_failed');
    expect(error.userMessage).toContain(
      '"CommandError: settings.RETIREMENT_STATES does not exist or is empty."',
    );
  });

  it('ignores log lines and warnings even on stdout, never an unknown line', () => {
    expect(parseRetirementStatesOutput(`${NOISY_STDERR}${STDOUT}`).current).toHaveLength(4);
    expect(() => parseRetirementStatesOutput(`${STDOUT}Traceback (most recent call last):\n`)).toThrowError(
      'printed something unexpected (looked for a "STATE (step N)" line): "Traceback (most recent call last):"',
    );
  });
});

describe('warnings in combined output', () => {
  it('drops a warning with the source line after it, raw or captured by logging', () => {
    const captured =
      '2026-11-25 06:15:22,400 WARNING 22945 [py.warnings] [user None] [ip None] warnings.py:109 - /edx/app/edxapp/edx-platform/lms/urls.py:12: RemovedInDjango41Warning: deprecated\n  url(r"^$", index),\n';
    expect(meaningfulLines(`${NOISY_STDERR}${captured}  indented output of the command\nDone.`)).toEqual([
      'Loaded plugin apps for lms: []',
      'Flushed 0 queued analytics events',
      '  indented output of the command',
      'Done.',
    ]);
  });
});
