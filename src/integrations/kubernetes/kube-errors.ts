import { ApiException } from '@kubernetes/client-node';
import { BotError } from '../../errors.js';
import { parseStatus } from './kube-status.js';

/** What the bot asked of the API server, in RBAC terms, to name it in an error. */
export interface KubeRequest {
  verb: string;
  /** With its subresource, as RBAC spells it: `pods`, `pods/exec`. */
  resource: string;
  namespace: string;
  name?: string;
  context: string;
}

function what(request: KubeRequest): string {
  return `${request.verb} ${request.resource}${request.name ? ` ${request.name}` : ''}`;
}

function where(request: KubeRequest): string {
  return `in namespace ${request.namespace} (context ${request.context})`;
}

/**
 * A one-line, bounded account of a thrown error for `detail`. A SyntaxError's message quotes the
 * text it failed on, which for an exec credential plugin is the token itself, so only its name is kept.
 */
export function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const code = (error as { code?: unknown }).code;
  const label = typeof code === 'string' ? `${error.name} ${code}` : error.name;
  if (error instanceof SyntaxError) return label;
  return `${label}: ${(error.message.split('\n')[0] ?? '').slice(0, 200)}`;
}

/** An HTTP refusal from the API server, named by what was asked and where. */
export function httpFailure(code: number, body: unknown, request: KubeRequest): BotError {
  const status = parseStatus(body);
  const detail = `HTTP ${code}${status?.message ? `: ${status.message}` : ''}`;
  if (code === 401) {
    return new BotError({
      code: 'kubernetes_unauthorized',
      userMessage: `The Kubernetes API (context ${request.context}) rejected the bot's credentials.`,
      detail,
    });
  }
  if (code === 403) {
    return new BotError({
      code: 'kubernetes_forbidden',
      userMessage: `The bot may not ${request.verb} ${request.resource} ${where(request)}.`,
      detail,
    });
  }
  if (code === 404) {
    return new BotError({
      code: 'kubernetes_not_found',
      userMessage: `${request.resource.split('/')[0]} ${request.name ?? ''} was not found ${where(request)}.`,
      detail,
    });
  }
  const transient = code === 408 || code === 429 || code >= 500;
  return new BotError({
    code: transient ? 'kubernetes_unavailable' : 'kubernetes_request_failed',
    userMessage: `The Kubernetes API answered HTTP ${code} to ${what(request)} ${where(request)}.`,
    detail,
    retryable: transient,
  });
}

const TLS_TRUST = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/** Any failure of an API request: refusals by their status, everything else as a connection problem. */
export function requestFailure(error: unknown, request: KubeRequest): BotError {
  if (error instanceof BotError) return error;
  if (error instanceof ApiException) return httpFailure(error.code, error.body, request);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TLS_TRUST.test(code)) {
    return new BotError({
      code: 'kubernetes_tls_untrusted',
      userMessage: `The Kubernetes API (context ${request.context}) presented a certificate the kubeconfig's CA does not vouch for.`,
      detail: errorSummary(error),
      cause: error,
    });
  }
  const timedOut = error instanceof Error && error.name === 'AbortError';
  return new BotError({
    code: 'kubernetes_unreachable',
    userMessage: `The Kubernetes API (context ${request.context}) ${timedOut ? 'did not answer in time' : 'could not be reached'} to ${what(request)}.`,
    detail: errorSummary(error),
    retryable: true,
    cause: error,
  });
}
