import { describe, expect, it } from 'vitest';
import { githubError } from '../../../src/integrations/github/github-errors.js';

const answer = (status: number, data: unknown, headers: Record<string, string> = {}) => ({
  status,
  message: 'request failed',
  request: { headers: { authorization: 'token ghp_must-not-leak' } },
  response: { status, headers, data },
});

describe('githubError', () => {
  it('reads a secondary rate limit (429) and a primary one (403, remaining 0, reset) as retryable', () => {
    const secondary = githubError(
      answer(429, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '7' }),
      'x',
    );
    expect(secondary).toMatchObject({ code: 'github_rate_limited', retryable: true });
    expect(secondary.userMessage).toContain('in 7 s');
    const reset = String(Math.floor(Date.now() / 1000) + 120);
    const primary = githubError(
      answer(
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      ),
      'x',
    );
    expect(primary.code).toBe('github_rate_limited');
    expect(primary.userMessage).toMatch(/in 1[12]\d s/);
  });

  it('tells a 403 without rate limit, a 422 with its errors, a 5xx and no answer at all apart', () => {
    expect(githubError(answer(403, { message: 'Resource not accessible by integration' }), 'x').code).toBe(
      'github_forbidden',
    );
    const invalid = githubError(
      answer(422, {
        message: 'Validation Failed',
        errors: [{ message: 'A pull request already exists for o:b.' }],
      }),
      'opening',
    );
    expect(invalid).toMatchObject({ code: 'github_rejected', retryable: false });
    expect(invalid.userMessage).toBe(
      'GitHub answered 422 to opening: Validation Failed: A pull request already exists for o:b..',
    );
    expect(githubError(answer(502, { message: 'Server Error' }), 'x')).toMatchObject({
      code: 'github_server_error',
      retryable: true,
    });
    const unreachable = githubError({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } }, 'x');
    expect(unreachable).toMatchObject({
      code: 'github_unreachable',
      retryable: true,
      detail: 'ECONNREFUSED',
    });
    for (const error of [secondaryOf(), invalid, unreachable])
      expect(JSON.stringify(error)).not.toContain('ghp_');
  });
});

function secondaryOf() {
  return githubError(answer(429, {}, { 'retry-after': '1' }), 'x');
}
