import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseManageUserOutput } from '../../../src/integrations/edx-worker/manage-user-output.js';
import { manageCommand } from '../../../src/integrations/edx-worker/remote-command.js';
import { parseRetirementStatesOutput } from '../../../src/integrations/edx-worker/retirement-states-output.js';
import { shellQuote } from '../../../src/integrations/edx-worker/shell-quote.js';

/** The warnings every edx-worker prints before the real output (domain.md A.4). */
const NOISE = [
  '/edx/app/edxapp/venvs/edxapp/lib/python3.11/site-packages/django/db/models/fields/__init__.py:1400: RuntimeWarning: DateTimeField CourseOverview.start received a naive datetime while time zone support is active.',
  '  warnings.warn(',
  '2023-04-28 21:09:58,101 WARNING 69935 [py.warnings] [user None] [ip None] warnings.py:109 - /edx/app/edxapp/edx-platform/xmodule/modulestore/django.py:55: DeprecationWarning: deprecated',
  '',
].join('\n');

describe('populate_retirement_states output', () => {
  it('parses the runbook report, whatever the set order', () => {
    const report = parseRetirementStatesOutput(`${NOISE}
States have been synchronized. Differences:
   Added: {'COMPLETE', 'FORUMS_COMPLETE', 'PENDING', 'RETIRING_FORUMS', 'ABORTED', 'ERRORED'}
   Removed: set()
   Remaining: set()
States updated successfully. Current states:
PENDING (step 1)
RETIRING_FORUMS (step 11)
FORUMS_COMPLETE (step 21)
ERRORED (step 31)
ABORTED (step 41)
COMPLETE (step 51)
`);
    expect(report).toEqual({
      dryRun: false,
      added: ['ABORTED', 'COMPLETE', 'ERRORED', 'FORUMS_COMPLETE', 'PENDING', 'RETIRING_FORUMS'],
      removed: [],
      remaining: [],
      current: [
        { name: 'PENDING', step: 1 },
        { name: 'RETIRING_FORUMS', step: 11 },
        { name: 'FORUMS_COMPLETE', step: 21 },
        { name: 'ERRORED', step: 31 },
        { name: 'ABORTED', step: 41 },
        { name: 'COMPLETE', step: 51 },
      ],
    });
  });

  it('recognises a dry run and a no-op re-run', () => {
    const report = parseRetirementStatesOutput(`--- Dry run, no changes will be made ---
States have been synchronized. Differences:
   Added: set()
   Removed: {'OLD_STATE'}
   Remaining: {'PENDING', 'COMPLETE', 'ERRORED', 'ABORTED'}
States updated successfully. Current states:
PENDING (step 1)
OLD_STATE (step 11)
ERRORED (step 21)
ABORTED (step 31)
COMPLETE (step 41)`);
    expect(report.dryRun).toBe(true);
    expect(report.removed).toEqual(['OLD_STATE']);
    expect(report.remaining).toEqual(['ABORTED', 'COMPLETE', 'ERRORED', 'PENDING']);
  });

  it('quotes the first unexpected line of garbled output', () => {
    expect(() => parseRetirementStatesOutput(`${NOISE}lorem ipsum: 42\n`)).toThrowError(
      'populate_retirement_states printed something unexpected (looked for the synchronisation report): "lorem ipsum: 42".',
    );
  });
});

describe('manage_user output', () => {
  it('parses a creation with the MIT profile-signal log line', () => {
    const output = `${NOISE}Created new user: "retirement_service_worker"
Setting is_staff for user "retirement_service_worker" to "True"
Setting is_superuser for user "retirement_service_worker" to "True"
Adding user "retirement_service_worker" to groups []
Removing user "retirement_service_worker" from groups []
2023-04-28 21:10:00,691 INFO 69935 [common.djangoapps.student.models.user] [user None] [ip None] user.py:782 - Created new profile for user: retirement_service_worker`;
    expect(parseManageUserOutput(output, 'retirement_service_worker')).toEqual({
      created: true,
      flagsSet: [
        { flag: 'is_staff', value: true },
        { flag: 'is_superuser', value: true },
      ],
    });
  });

  it('parses an existing user with nothing to change', () => {
    const output = `Found existing user: "retirement_worker"
Adding user "retirement_worker" to groups []
Removing user "retirement_worker" from groups []`;
    expect(parseManageUserOutput(output, 'retirement_worker')).toEqual({ created: false, flagsSet: [] });
  });
});

describe('remote command lines', () => {
  it('wraps manage.py in timeout, sudo su - and edxapp_env, without --settings', () => {
    expect(manageCommand('edxapp', ['manage_user', 'rsw', 'rsw@example.com', '--staff'], 600)).toBe(
      "timeout -k 30 600 sudo -n su - 'edxapp' -s /bin/bash -c 'source edxapp_env && python edx-platform/manage.py lms '\\''manage_user'\\'' '\\''rsw'\\'' '\\''rsw@example.com'\\'' '\\''--staff'\\'''",
    );
  });

  it.each([`a'b; rm -rf /`, '$(id) `whoami` $HOME', 'line\nbreak', 'ünïcødé ✓ "quoted"', ''])(
    'passes %j as exactly one argument',
    (value) => {
      const printed = execFileSync('bash', ['-c', `printf '%s\\0' ${shellQuote(value)}`]).toString();
      expect(printed).toBe(`${value}\0`);
      const script = manageCommand('edxapp', [value], 60).match(/-c ([\s\S]*)$/)?.[1] as string;
      const inner = execFileSync('bash', ['-c', `printf '%s' ${script}`]).toString();
      const args = execFileSync('bash', [
        '-c',
        inner.replace('source edxapp_env && python edx-platform/manage.py lms', "printf '%s\\0'"),
      ]).toString();
      expect(args).toBe(`${value}\0`);
    },
  );
});
