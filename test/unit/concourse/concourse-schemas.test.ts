import { describe, expect, it } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { parseAnswer, userSchema } from '../../../src/integrations/concourse/concourse-schemas.js';

const source = { url: 'https://ci.example', what: 'GET /api/v1/user' };

function failure(text: string): BotError {
  try {
    parseAnswer(userSchema, text, source);
  } catch (error) {
    if (error instanceof BotError) return error;
    throw error;
  }
  throw new Error('parsed');
}

describe('parseAnswer', () => {
  it('returns the known fields of a matching answer', () => {
    const text = JSON.stringify({ user_name: 'bot', is_admin: false, teams: { mitxonline: ['member'] } });
    expect(parseAnswer(userSchema, text, source)).toEqual({
      is_admin: false,
      teams: { mitxonline: ['member'] },
    });
  });

  it('reports a mismatch by path and message, never by value', () => {
    const error = failure(JSON.stringify({ teams: { mitxonline: 'secret-role-91f2' } }));
    expect(error).toMatchObject({
      code: 'concourse_unexpected_answer',
      userMessage:
        'Concourse at https://ci.example answered GET /api/v1/user with something the bot does not understand.',
      detail: 'teams.mitxonline: Invalid input: expected array, received string',
    });
    expect(error.message).not.toContain('secret-role-91f2');
  });

  it('reports a body that is not JSON without quoting it', () => {
    const error = failure('token=secret-91f2');
    expect(error.detail).toBe('the body is not JSON');
    expect(error.message).not.toContain('secret-91f2');
  });
});
