import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from '../logging/metrics.js';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

/** `/healthz` (dependencies this process cannot work without) and `/metrics` (Prometheus). */
export function operationalRoutes(options: {
  metrics: Metrics;
  healthChecks: HealthCheck[];
  beforeScrape?: () => Promise<void>;
}): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        void health(options.healthChecks).then(({ ok, checks }) => {
          send(
            res,
            ok ? 200 : 503,
            'application/json',
            JSON.stringify({ status: ok ? 'ok' : 'unavailable', checks }),
          );
        });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        void (async () => {
          await options.beforeScrape?.().catch(() => undefined);
          send(res, 200, options.metrics.registry.contentType, await options.metrics.registry.metrics());
        })();
      },
    },
  ];
}

async function health(checks: HealthCheck[]): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await check();
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return { ok: results.every(([, status]) => status === 'ok'), checks: Object.fromEntries(results) };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}
