import { webApi } from '@slack/bolt';

/** The `error` of an `{ok: false}` answer (e.g. `not_in_channel`), when that is what was thrown. */
export function slackPlatformError(error: unknown): string | undefined {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== webApi.ErrorCode.PlatformError) {
    return undefined;
  }
  return (error as webApi.WebAPIPlatformError).data.error;
}

/** Retry-After of a 429 the client was told to reject rather than wait out. */
export function slackRetryAfterSeconds(error: unknown): number | undefined {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== webApi.ErrorCode.RateLimitedError) {
    return undefined;
  }
  return (error as webApi.WebAPIRateLimitedError).retryAfter;
}
