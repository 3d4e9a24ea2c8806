import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

/** Starts `server` on 127.0.0.1 with a port the OS picks, and returns its http:// address. */
export async function listenOnLoopback(server: Pick<Server, 'listen' | 'address' | 'once'>): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server as Server, 'listening');
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Closes `server` now, dropping kept-alive connections rather than waiting for them. */
export async function closeServer(
  server: { close(done: () => void): unknown; closeAllConnections(): void } | undefined,
): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A port free on 127.0.0.1 right now, for programs that must be told their port (sshd, Redis). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  const url = await listenOnLoopback(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return Number(new URL(url).port);
}
