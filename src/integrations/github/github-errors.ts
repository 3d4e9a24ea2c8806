import { BotError } from '../../errors.js';

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
  cause?: unknown;
}

/**
 * Octokit rejects with a RequestError whose `request` holds the Authorization header; only the
 * status, GitHub's own message and a few headers leave here. `action` says what the bot was doing.
 */
export function githubError(error: unknown, action: string): BotError {
  if (error instanceof BotError) return error;
  const failure = error as RequestErrorLike;
  const status = failure.response ? failure.status : undefined;
  const headers = failure.response?.headers ?? {};
  const data = failure.response?.data as { message?: unknown; errors?: { message?: unknown }[] } | undefined;
  const said = [data?.message, ...(data?.errors ?? []).map((e) => e?.message)]
    .filter((m): m is string => typeof m === 'string')
    .join(': ')
    .slice(0, 300);
  if (status === undefined) {
    const timedOut = /timeout|aborted/i.test(`${failure.message} ${(failure.cause as Error)?.name}`);
    return new BotError({
      code: 'github_unreachable',
      userMessage: timedOut
        ? `GitHub did not answer in time (${action}).`
        : `GitHub is unreachable (${action}).`,
      detail: String((failure.cause as { code?: string })?.code ?? failure.message ?? 'unknown').slice(
        0,
        200,
      ),
      retryable: true,
    });
  }
  const retryAfter = headers['retry-after'];
  const reset = headers['x-ratelimit-reset'];
  if (status === 429 || (status === 403 && (retryAfter || headers['x-ratelimit-remaining'] === '0'))) {
    const seconds = retryAfter
      ? Number(retryAfter)
      : Math.max(0, Math.ceil(Number(reset) - Date.now() / 1000));
    return new BotError({
      code: 'github_rate_limited',
      userMessage: `GitHub is rate-limiting the bot (${action}); it can try again in ${Number.isFinite(seconds) ? seconds : 60} s.`,
      detail: said,
      retryable: true,
    });
  }
  const table: Record<number, { code: string; userMessage: string; retryable?: boolean }> = {
    401: {
      code: 'github_unauthorized',
      userMessage: `GitHub refused the bot's credentials (${action}): check GITHUB_TOKEN or the GitHub App settings.`,
    },
    403: {
      code: 'github_forbidden',
      userMessage: `GitHub forbade ${action}: the bot needs contents and pull requests write access to the repository.`,
    },
    404: {
      code: 'github_not_found',
      userMessage: `GitHub answered 404 (${action}): the repository, branch or file does not exist, or the bot cannot see it.`,
    },
    409: {
      code: 'github_conflict',
      userMessage: `Someone changed the branch while the bot was ${action}; nothing was overwritten.`,
      retryable: true,
    },
  };
  const known = table[status];
  if (known) return new BotError({ ...known, detail: said });
  return new BotError({
    code: status >= 500 ? 'github_server_error' : 'github_rejected',
    userMessage: `GitHub answered ${status} to ${action}${said ? `: ${said}` : ''}.`,
    retryable: status >= 500,
  });
}
