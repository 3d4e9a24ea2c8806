import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { closeServer, listenOnLoopback } from '../loopback-server.js';

interface Answer {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  html?: string;
}

export interface TokenRateLimit {
  /** Requests allowed per window, counting refused ones, as django-ratelimit counts. */
  requests: number;
  windowSeconds: number;
  /** 403 is django-ratelimit's PermissionDenied; 429 where handler403 renders the rate-limit page. */
  status: 403 | 429;
  /** Open edX sends no Retry-After; a proxy in front of it may. */
  retryAfter?: boolean;
}

/** Django's page for an error without a template (django.views.defaults.ERROR_PAGE_TEMPLATE). */
function djangoPage(title: string, details = ''): string {
  return `\n<!doctype html>\n<html lang="en">\n<head>\n  <title>${title}</title>\n</head>\n<body>\n  <h1>${title}</h1><p>${details}</p>\n</body>\n</html>\n`;
}

function nginxPage(status: number, reason: string): string {
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

const OAUTH_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' };
const REASONS: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/**
 * The LMS's /oauth2/access_token as Open edX answers it, for tests that need only the token
 * endpoint (the full simulated LMS runs real DOT on the edx-worker simulator): oauthlib's JSON
 * errors (401 invalid_client, 400 unauthorized_client for an application of another grant type),
 * the rate limiter's HTML pages, a failing server behind nginx, and a server that is no LMS.
 */
export class LmsOAuthEmulator {
  readonly requests: { path: string; body: string }[] = [];
  url = '';
  private readonly clients = new Map<string, { secret: string; grantType: string }>();
  private server: Server | undefined;
  private serverErrorStatus: number | undefined;
  private notAnLms = false;
  private limit: TokenRateLimit | undefined;
  private window = { startedAt: 0, count: 0 };

  static async start(): Promise<LmsOAuthEmulator> {
    const emulator = new LmsOAuthEmulator();
    emulator.server = createServer((req, res) => {
      emulator.handle(req).then(
        ({ status, headers, json, html }) => {
          const type = json === undefined ? 'text/html' : 'application/json';
          res.writeHead(status, { 'content-type': type, ...headers });
          res.end(json === undefined ? (html ?? '') : JSON.stringify(json));
        },
        () => res.destroy(),
      );
    });
    emulator.url = await listenOnLoopback(emulator.server);
    return emulator;
  }

  /** A DOT application; its grant type is DOT's `authorization_grant_type` value. */
  registerClient(id: string, secret: string, grantType = 'client-credentials'): void {
    this.clients.set(id, { secret, grantType });
  }

  failWithServerErrors(on: boolean, status = 502): void {
    this.serverErrorStatus = on ? status : undefined;
  }

  /** Answers every request as a web server without the LMS's routes: the wrong host. */
  actAsOtherServer(on: boolean): void {
    this.notAnLms = on;
  }

  limitTokenRequests(limit: TokenRateLimit | null): void {
    this.limit = limit ?? undefined;
    this.window = { startedAt: Date.now(), count: 0 };
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage): Promise<Answer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://lms').pathname;
    this.requests.push({ path, body });
    if (this.notAnLms) return { status: 404, html: nginxPage(404, 'Not Found') };
    if (this.serverErrorStatus !== undefined) {
      const status = this.serverErrorStatus;
      return status === 500
        ? { status, html: djangoPage('Server Error (500)') }
        : { status, html: nginxPage(status, REASONS[status] ?? 'Error') };
    }
    if (path !== '/oauth2/access_token') {
      return {
        status: 404,
        html: djangoPage('Not Found', 'The requested resource was not found on this server.'),
      };
    }
    const limited = this.rateLimited();
    if (limited) return limited;
    if (req.method !== 'POST') return { status: 405, headers: { allow: 'POST, OPTIONS' } };
    return this.token(new URLSearchParams(body));
  }

  /** In oauthlib's order: the grant type, then the client's id and secret, then the client's grant type. */
  private token(form: URLSearchParams): Answer {
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
    const client = this.clients.get(form.get('client_id') ?? '');
    if (client === undefined || client.secret !== form.get('client_secret')) {
      return {
        ...oauthError(401, 'invalid_client'),
        headers: { ...OAUTH_HEADERS, 'www-authenticate': 'Bearer error="invalid_client"' },
      };
    }
    if (client.grantType !== 'client-credentials') return oauthError(400, 'unauthorized_client');
    return {
      status: 200,
      headers: OAUTH_HEADERS,
      json: {
        access_token: randomBytes(20).toString('hex'),
        expires_in: 36000,
        token_type: form.get('token_type') === 'jwt' ? 'JWT' : 'Bearer',
        scope: 'read write',
      },
    };
  }

  private rateLimited(): Answer | undefined {
    if (!this.limit) return undefined;
    const { requests, windowSeconds, status, retryAfter } = this.limit;
    const now = Date.now();
    if (now - this.window.startedAt >= windowSeconds * 1000) this.window = { startedAt: now, count: 0 };
    this.window.count += 1;
    if (this.window.count <= requests) return undefined;
    const left = Math.ceil((this.window.startedAt + windowSeconds * 1000 - now) / 1000);
    return {
      status,
      headers: retryAfter ? { 'retry-after': String(left) } : {},
      html:
        status === 403
          ? djangoPage('403 Forbidden')
          : djangoPage('Too Many Requests', 'Please try again later.'),
    };
  }
}

/** oauthlib's error body: `error_description` only when the error has one, and these have none. */
function oauthError(status: number, error: string): Answer {
  return { status, headers: OAUTH_HEADERS, json: { error } };
}
