import { randomUUID } from 'node:crypto';

/** A Vault policy's capability, as policies and sys/capabilities-self name them. */
export type Capability = 'create' | 'read' | 'update' | 'delete' | 'list';

export type Send = (status: number, body?: unknown) => void;

export const PERMISSION_DENIED = { errors: ['1 error occurred:\n\t* permission denied\n\n'] };

export const UNSUPPORTED_OPERATION = { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] };

/** Vault's HTTP response envelope (logical.HTTPResponse), also the body of a 404 that carries data. */
export function envelope(data: unknown) {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
  };
}

/** One request to a KV mount, with the emulator's policy check and race hook. */
export interface KvRequest {
  method: string;
  mount: string;
  /** The path after the mount, e.g. `data/team/secret` on KV v2. */
  rest: string;
  body: Record<string, unknown>;
  query: URLSearchParams;
  can(path: string, capability: Capability): boolean;
  /** Runs the emulator's pending race, just before a write is checked and applied. */
  beforeWrite(): void;
}
