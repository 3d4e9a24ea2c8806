import {
  envelope,
  type KvRequest,
  PERMISSION_DENIED,
  type Send,
  UNSUPPORTED_OPERATION,
} from './vault-http.js';

/** KV v1: one flat map per path, overwritten on every write, with no versions. */
export class KvV1Store {
  private readonly entries = new Map<string, Record<string, unknown>>();

  write(mount: string, path: string, data: Record<string, unknown>): void {
    this.entries.set(`${mount}/${path}`, data);
  }

  handle(request: KvRequest, send: Send) {
    const { method, mount, rest, body } = request;
    const key = `${mount}/${rest}`;
    if (method === 'GET') {
      if (!request.can(key, 'read')) return send(403, PERMISSION_DENIED);
      const data = this.entries.get(key);
      return data ? send(200, envelope(data)) : send(404, { errors: [] });
    }
    if (method !== 'POST') return send(405, UNSUPPORTED_OPERATION);
    if (!request.can(key, this.entries.has(key) ? 'update' : 'create')) return send(403, PERMISSION_DENIED);
    request.beforeWrite();
    this.entries.set(key, body);
    send(204);
  }
}
