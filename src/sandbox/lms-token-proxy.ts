import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const ROUTE = /^\/lms\/([a-z0-9-]+)\/([a-z0-9-]+)(\/.*)$/;

/** Where a pair's LMS web server listens, once its simulated edx-worker or pod has started. */
export type LmsLocator = (app: string, env: string) => Promise<string> | undefined;

/**
 * Each sandbox pair's LMS lives on its simulated edx-worker or pod, which starts on demand, so the
 * catalog points every pair at `<proxy>/lms/<app>/<env>` and this forwards to whichever started.
 */
export async function startLmsTokenProxy(
  locate: LmsLocator,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    forward(req, res, locate).catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`sandbox LMS proxy: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function forward(req: IncomingMessage, res: ServerResponse, locate: LmsLocator): Promise<void> {
  const match = ROUTE.exec(new URL(req.url ?? '/', 'http://proxy').pathname);
  const lmsUrl = match ? locate(match[1] as string, match[2] as string) : undefined;
  if (!match || !lmsUrl) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('No simulated LMS is running for this path.');
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const upstream = await fetch(`${await lmsUrl}${match[3]}`, {
    method: req.method,
    headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' },
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
    signal: AbortSignal.timeout(10_000),
  });
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
  res.end(Buffer.from(await upstream.arrayBuffer()));
}
