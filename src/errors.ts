/**
 * Every failure the bot reports is a BotError: `userMessage` is safe to post in Slack, `detail`
 * is for logs only. Neither may contain a secret; integrations build them from facts they know
 * to be safe (status codes, paths, quoted output lines after redaction).
 */
export interface BotErrorOptions<Code extends string = string> {
  code: Code;
  userMessage: string;
  detail?: string;
  /** Transient failures (timeouts, 5xx, connection refused) are retried with backoff. */
  retryable?: boolean;
  /**
   * Set when running the step again cannot help (the catalog is wrong, the LMS lacks states): what
   * the operator must do instead. Slack then offers no Retry and shows this.
   */
  remedy?: string;
  /** Where to look (a build's log): shown as links beside `userMessage`, never escaped into text. */
  links?: readonly ErrorLink[];
  cause?: unknown;
}

export interface ErrorLink {
  url: string;
  label: string;
}

export class BotError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly userMessage: string;
  readonly detail: string | undefined;
  readonly retryable: boolean;
  readonly remedy: string | undefined;
  readonly links: readonly ErrorLink[];

  constructor(options: BotErrorOptions<Code>) {
    super(options.detail ? `${options.userMessage} (${options.detail})` : options.userMessage, {
      cause: options.cause,
    });
    this.name = new.target.name;
    this.code = options.code;
    this.userMessage = options.userMessage;
    this.detail = options.detail;
    this.retryable = options.retryable ?? false;
    this.remedy = options.remedy;
    this.links = options.links ?? [];
  }
}

/** Normalises anything thrown into a BotError without leaking the original message to users. */
export function toBotError(error: unknown): BotError {
  if (error instanceof BotError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new BotError({
    code: 'internal_error',
    userMessage: 'An internal error occurred; the details are in the bot logs.',
    detail,
    cause: error,
  });
}
