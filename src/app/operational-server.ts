import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';

/**
 * The `worker` role receives nothing from Slack, so it has no Bolt listener; this small server
 * gives it the same `/healthz` and `/metrics` on its own port, for probes and Prometheus.
 */
export async function startOperationalServer(
  routes: CustomRoute[],
  port: number,
  host: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    const route = routes.find(
      (r) => r.path === path && [r.method].flat().includes((req.method ?? 'GET') as 'GET'),
    );
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    route.handler(Object.assign(req, { params: {} }), res);
  });
  server.listen(port, host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
