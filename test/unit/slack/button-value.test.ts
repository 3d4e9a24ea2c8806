import { describe, expect, it } from 'vitest';
import {
  approvalButtonValue,
  parseApprovalButton,
  parseRunButton,
  runButtonValue,
} from '../../../src/slack/actions/button-value.js';

describe('button values', () => {
  it('round-trip a run id and an approval phase', () => {
    expect(parseRunButton(runButtonValue('r0a1b2c3d4e'))).toBe('r0a1b2c3d4e');
    expect(parseApprovalButton(approvalButtonValue('r0a1b2c3d4e', 'credentials'))).toEqual({
      runId: 'r0a1b2c3d4e',
      phase: 'credentials',
    });
  });

  it.each([undefined, '', 'r0a1b2c3d4e:', 'r0a1b2c3d4e:root', 'x:lms', 'r0a1b2c3d4e:lms:extra', '__proto__'])(
    'refuse %j with a typed error that says the button is no longer valid',
    (value) => {
      expect(() => parseApprovalButton(value)).toThrow('This button is not valid any more.');
    },
  );

  it('refuse a run button that is not a run id', () => {
    expect(() => parseRunButton('r0a1b2c3d4e:lms')).toThrow('This button is not valid any more.');
  });
});
