import type { z } from 'zod';
import { BotError } from '../../errors.js';
import type { SecretRedactor } from '../../logging/secret-redactor.js';
import { parseAnswer, tokenSchema } from './concourse-schemas.js';

export interface ConcourseSessionOptions {
  url: string;
  team: string;
  username: string;
  password: string;
  timeoutMs?: number;
  redactor: SecretRedactor;
}

export interface ConcourseRequestOptions {
  body?: string;
  headers?: Record<string, string>;
  /** Hand back a 404 instead of throwing, for things that may not exist yet. */
  allow404?: boolean;
  /** Hand back every status, for callers that read the ATC's error bodies themselves. */
  rawErrors?: boolean;
}

/** fly's OAuth client, hard-coded in the ATC (atc/atccmd/command.go). */
const FLY_CLIENT = `Basic ${Buffer.from('fly:Zmx5').toString('base64')}`;
const TOKEN_SCOPE = 'openid profile email federated:id groups';
/** Renew a little before the ATC says the token expires. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * The bot's login to one ATC the way fly does it (domain.md E): password grant, then bearer
 * requests, logging in again once when the token is rejected. Failures become BotErrors.
 */
export class ConcourseSession {
  private token: { value: string; expiresAt: number } | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: ConcourseSessionOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    options.redactor.register(options.password);
  }

  /** Sends an API request and parses its JSON answer with `schema`. */
  async json<T>(method: string, path: string, schema: z.ZodType<T>): Promise<T> {
    return this.answer(await this.request(method, path), schema, `${method} ${path}`);
  }

  async answer<T>(response: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    return this.parse(await response.text(), schema, what);
  }

  parse<T>(text: string, schema: z.ZodType<T>, what: string): T {
    return parseAnswer(schema, text, { url: this.options.url, what });
  }

  async request(
    method: string,
    path: string,
    options: ConcourseRequestOptions = {},
    retried = false,
  ): Promise<Response> {
    const token = await this.bearer();
    const response = await this.fetch(`${this.options.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...options.headers },
      body: options.body,
    });
    if (response.status === 401 && !retried) {
      // Tokens expire (and the ATC forgets them on restart): log in again once.
      this.token = undefined;
      return this.request(method, path, options, true);
    }
    if (response.ok || (options.allow404 && response.status === 404) || options.rawErrors) return response;
    throw this.statusError(response.status, `${method} ${path}`, await response.text());
  }

  statusError(status: number, what: string, body: string): BotError {
    const { team, url, username } = this.options;
    if (status === 401) {
      return new BotError({
        code: 'concourse_login_failed',
        userMessage: `Concourse at ${url} rejected the bot's token.`,
      });
    }
    if (status === 403) {
      return new BotError({
        code: 'concourse_team_forbidden',
        userMessage: `Concourse user ${username} may not do this in team ${team} (403).`,
        detail: what,
      });
    }
    return new BotError({
      code: status >= 500 ? 'concourse_server_error' : 'concourse_request_failed',
      userMessage: `Concourse at ${url} answered ${status} to ${what}.`,
      detail: body.slice(0, 300),
      retryable: status >= 500,
    });
  }

  private async bearer(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    const { url, username, password } = this.options;
    const response = await this.fetch(`${url}/sky/issuer/token`, {
      method: 'POST',
      headers: { authorization: FLY_CLIENT, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username,
        password,
        scope: TOKEN_SCOPE,
      }).toString(),
    });
    if (!response.ok) {
      throw new BotError({
        code: response.status >= 500 ? 'concourse_server_error' : 'concourse_login_failed',
        userMessage: `Concourse at ${url} refused the login of ${username} (${response.status}); check CONCOURSE_USERNAME and CONCOURSE_PASSWORD.`,
        retryable: response.status >= 500,
      });
    }
    const body = await this.answer(response, tokenSchema, 'POST /sky/issuer/token');
    if (!body.access_token) {
      throw new BotError({
        code: 'concourse_login_failed',
        userMessage: `Concourse at ${url} returned no token.`,
      });
    }
    this.options.redactor.register(body.access_token);
    const lifetimeMs = (body.expires_in ?? 86_400) * 1000;
    this.token = {
      value: body.access_token,
      expiresAt: Date.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2),
    };
    return this.token.value;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new BotError({
        code: 'concourse_unreachable',
        userMessage: timedOut
          ? `Concourse at ${this.options.url} did not answer within ${this.timeoutMs / 1000} s.`
          : `Concourse at ${this.options.url} is unreachable.`,
        detail:
          error instanceof Error
            ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`
            : String(error),
        retryable: true,
        cause: error,
      });
    }
  }
}
