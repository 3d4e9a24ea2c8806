import { z } from 'zod';
import { BotError } from '../../errors.js';

/** Vault's transit engine as hcvault/keysource.go uses it: only `decrypt`, to unwrap a data key. */
export interface VaultTransit {
  /** POST <address>/v1/<enginePath>/decrypt/<keyName>; resolves to Vault's base64 `plaintext`. */
  decrypt(address: string, enginePath: string, keyName: string, ciphertext: string): Promise<string>;
}

export interface FetchVaultTransitOptions {
  /** A token, or a function that returns the token to use with a given Vault address. */
  token: string | ((address: string) => Promise<string>);
  /**
   * Vault addresses the bot may send its token to, as SOPS_HC_VAULT_ALLOWLIST in keysource.go:
   * the address comes from a file in a repository, so it must not choose where the token goes.
   */
  allowedAddresses: readonly string[];
  namespace?: string;
  timeoutMs?: number;
}

const answerSchema = z.object({ data: z.object({ plaintext: z.string() }) });
const errorsSchema = z.object({ errors: z.array(z.string()) });

function withSlash(address: string): string {
  return address.endsWith('/') ? address : `${address}/`;
}

export class FetchVaultTransit implements VaultTransit {
  constructor(private readonly options: FetchVaultTransitOptions) {}

  async decrypt(address: string, enginePath: string, keyName: string, ciphertext: string): Promise<string> {
    const path = `${enginePath}/decrypt/${keyName}`;
    this.checkAddress(address);
    const url = `${address.replace(/\/+$/, '')}/v1/${path.split('/').map(encodeURIComponent).join('/')}`;
    const token =
      typeof this.options.token === 'string' ? this.options.token : await this.options.token(address);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-vault-token': token,
          ...(this.options.namespace ? { 'x-vault-namespace': this.options.namespace } : {}),
        },
        body: JSON.stringify({ ciphertext }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new BotError({
        code: 'vault_unreachable',
        userMessage: timedOut
          ? `Vault at ${address} did not answer in time (unwrapping the sops data key).`
          : `Vault at ${address} is unreachable (unwrapping the sops data key).`,
        detail: (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name,
        retryable: true,
      });
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.status === 200) {
      const parsed = answerSchema.safeParse(body);
      if (parsed.success) return parsed.data.data.plaintext;
    }
    throw transitError(response.status, errorsSchema.safeParse(body).data?.errors[0], address, path);
  }

  private checkAddress(address: string): void {
    let protocol = '';
    try {
      protocol = new URL(address).protocol;
    } catch {
      // Reported below, with the same message as any other address the bot may not use.
    }
    const allowed = this.options.allowedAddresses.some((entry) =>
      withSlash(address).startsWith(withSlash(entry)),
    );
    if ((protocol === 'https:' || protocol === 'http:') && allowed) return;
    throw new BotError({
      code: 'sops_vault_address_not_allowed',
      userMessage: `The sops file asks for its data key at ${address}, which is not a Vault the bot is configured to use.`,
      detail: `allowed: ${this.options.allowedAddresses.join(', ') || 'none'}`,
    });
  }
}

/** Vault's own error text never echoes the ciphertext or plaintext, so it may go into `detail`. */
function transitError(status: number, vaultMessage: string | undefined, address: string, path: string) {
  const detail = vaultMessage?.slice(0, 200);
  if (status === 403) {
    return new BotError({
      code: 'vault_permission_denied',
      userMessage: `Vault at ${address} denied unwrapping the sops data key: the bot's token needs a policy granting \`update\` on \`${path}\` (path "${path}" { capabilities = ["update"] }).`,
      detail,
    });
  }
  if (status === 503) {
    return new BotError({
      code: 'vault_sealed',
      userMessage: `Vault at ${address} is sealed or unavailable (unwrapping the sops data key).`,
      detail,
      retryable: true,
    });
  }
  const retryable = status >= 500 || status === 429;
  return new BotError({
    code: retryable ? 'vault_server_error' : 'vault_rejected',
    userMessage:
      status === 200
        ? `Vault at ${address} answered \`${path}\` without a plaintext.`
        : `Vault at ${address} answered ${status} to \`${path}\`: ${detail ?? 'no reason given'}.`,
    retryable,
  });
}
