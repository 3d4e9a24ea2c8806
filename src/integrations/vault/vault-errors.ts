import { BotError } from '../../errors.js';

/**
 * node-vault rejects with axios errors (whose config holds the token and the request body) or
 * with ApiResponseError; only the status, Vault's own error text and a network code leave here.
 */
export function vaultError(error: unknown, action: string, address: string): BotError {
  if (error instanceof BotError) return error;
  const response = (error as { response?: { statusCode?: number; body?: { errors?: unknown[] } } }).response;
  const status = response?.statusCode;
  const vaultMessage = String(response?.body?.errors?.[0] ?? (error as Error)?.message ?? '').slice(0, 200);
  if (status === undefined) {
    const code = (error as { code?: string }).code ?? 'unknown';
    const timedOut =
      code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(String((error as Error)?.message));
    return new BotError({
      code: 'vault_unreachable',
      userMessage: timedOut
        ? `Vault at ${address} did not answer in time (${action}).`
        : `Vault at ${address} is unreachable (${action}).`,
      detail: code,
      retryable: true,
    });
  }
  if (status === 403) {
    return new BotError({
      code: 'vault_permission_denied',
      userMessage: `Vault denied ${action}: the bot's token needs a policy granting it (or the token has expired).`,
      detail: vaultMessage,
    });
  }
  if (status === 503) {
    return new BotError({
      code: 'vault_sealed',
      userMessage: `Vault at ${address} is sealed or unavailable (${action}).`,
      detail: vaultMessage,
      retryable: true,
    });
  }
  if (status === 400 && vaultMessage.includes('check-and-set')) {
    return new BotError({
      code: 'vault_concurrent_change',
      userMessage: `Someone else wrote the secret while the bot was ${action}; nothing was overwritten.`,
      detail: vaultMessage,
      retryable: true,
    });
  }
  return new BotError({
    code: status >= 500 || status === 429 ? 'vault_server_error' : 'vault_rejected',
    userMessage: `Vault answered ${status} to ${action}: ${vaultMessage || 'no reason given'}.`,
    retryable: status >= 500 || status === 429,
  });
}
