import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { closeServer, listenOnLoopback } from '../loopback-server.js';

/**
 * The LMS's /oauth2/access_token as django-oauth-toolkit answers it, for tests that need only the
 * token endpoint (the full simulated LMS runs real DOT on the edx-worker simulator).
 */
export class LmsOAuthEmulator {
  readonly requests: { path: string; body: string }[] = [];
  url = '';
  private readonly clients = new Map<string, string>();
  private server: Server | undefined;
  private status5xx = false;

  static async start(): Promise<LmsOAuthEmulator> {
    const emulator = new LmsOAuthEmulator();
    emulator.server = createServer((req, res) => {
      emulator.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify(body));
        },
        () => res.destroy(),
      );
    });
    emulator.url = await listenOnLoopback(emulator.server);
    return emulator;
  }

  registerClient(id: string, secret: string): void {
    this.clients.set(id, secret);
  }

  failWithServerErrors(on: boolean): void {
    this.status5xx = on;
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://lms').pathname;
    this.requests.push({ path, body });
    if (this.status5xx) return { status: 502, body: { detail: 'bad gateway' } };
    if (req.method !== 'POST' || path !== '/oauth2/access_token')
      return { status: 404, body: { detail: 'Not found.' } };
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    const secret = this.clients.get(form.get('client_id') ?? '');
    if (secret === undefined || secret !== form.get('client_secret'))
      return { status: 401, body: { error: 'invalid_client' } };
    return {
      status: 200,
      body: {
        access_token: randomBytes(20).toString('hex'),
        expires_in: 36000,
        token_type: form.get('token_type') === 'jwt' ? 'JWT' : 'Bearer',
        scope: 'read write',
      },
    };
  }
}
