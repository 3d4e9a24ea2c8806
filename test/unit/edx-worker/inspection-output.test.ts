import { describe, expect, it } from 'vitest';
import {
  INSPECT_MARKER,
  parseInspectionOutput,
} from '../../../src/integrations/edx-worker/inspection-output.js';

const WARNING =
  '/edx/app/edxapp/venvs/lib/python3.8/site-packages/x.py:5: UserWarning: noisy\n  warnings.warn(';

describe('the read-only inspection output', () => {
  it('reads the marked line among Django noise', () => {
    const line = `${INSPECT_MARKER}${JSON.stringify({
      user: { exists: true, isStaff: true, isSuperuser: false },
      application: { exists: true, clientId: 'abc' },
    })}`;
    expect(parseInspectionOutput(`${WARNING}\n${line}\n`)).toEqual({
      user: { exists: true, isStaff: true, isSuperuser: false },
      application: { exists: true, clientId: 'abc' },
    });
  });

  it('omits a missing client id', () => {
    const line = `${INSPECT_MARKER}${JSON.stringify({
      user: { exists: false, isStaff: false, isSuperuser: false },
      application: { exists: false, clientId: null },
    })}`;
    expect(parseInspectionOutput(line).application).toEqual({ exists: false });
  });

  it.each([
    [
      'no marked line',
      'Traceback (most recent call last):',
      'printed no result: "Traceback (most recent call last):"',
    ],
    ['not JSON', `${INSPECT_MARKER}{oops`, 'a result the bot does not understand'],
    ['another shape', `${INSPECT_MARKER}{"user":{"exists":"yes"}}`, 'a result the bot does not understand'],
  ])('turns %s into a typed error', (_label, output, message) => {
    try {
      parseInspectionOutput(output);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'edx_unexpected_output' });
      expect((error as Error).message).toContain(message);
    }
  });
});
