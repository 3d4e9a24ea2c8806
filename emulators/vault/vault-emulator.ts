import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from '../loopback-server.js';
import { KvV1Store } from './kv-v1.js';
import { KvV2Engine } from './kv-v2.js';
import { TransitEngine } from './transit.js';
import { type Capability, envelope, type KvRequest, PERMISSION_DENIED, type Send } from './vault-http.js';

/**
 * A loopback Vault with the API surface the bot uses, answering as Vault documents it
 * (tech-notes §5): X-Vault-Token auth, policies by path glob, KV v1 and v2 mounts (v2 in
 * kv-v2.ts, with versions that can be deleted, destroyed or expire), transit mounts (transit.ts,
 * encrypt/decrypt for sops data keys), 404 `{"errors":[]}` for missing keys, 403 permission
 * denied, 503 when sealed, token lookup/renewal with expiry, and AppRole login.
 */
export interface PolicyRule {
  /** A Vault policy path; a trailing `*` matches any suffix. */
  path: string;
  capabilities: Capability[];
}

interface TokenEntry {
  policies: string[];
  rules: PolicyRule[];
  ttlSeconds: number;
  expiresAt: number;
  renewable: boolean;
}

/** A KV mount's version, or a transit secrets engine. */
export type MountType = 1 | 2 | 'transit';

export interface VaultTraffic {
  method: string;
  path: string;
  status: number;
  requestBody: string;
  responseBody: string;
}

export class VaultEmulator {
  readonly traffic: VaultTraffic[] = [];
  readonly rootToken: string;
  url = '';
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly approles = new Map<
    string,
    { secretId: string; rules: PolicyRule[]; name: string; ttlSeconds: number }
  >();
  private readonly mounts = new Map<string, MountType>();
  private readonly kv2 = new KvV2Engine(() => this.now());
  private readonly kv1 = new KvV1Store();
  private readonly transit = new TransitEngine();
  private sealed = false;
  private latencyMs = 0;
  private clockOffsetMs = 0;
  private server: Server | undefined;
  /** Runs once before the next KV write is applied, to simulate another writer racing the bot. */
  private beforeNextWrite: (() => void) | undefined;

  private constructor(rootToken: string) {
    this.rootToken = rootToken;
    this.tokens.set(rootToken, {
      policies: ['root'],
      rules: [],
      ttlSeconds: 0,
      expiresAt: Number.POSITIVE_INFINITY,
      renewable: false,
    });
  }

  static async start(
    options: { rootToken?: string; mounts?: Record<string, MountType> } = {},
  ): Promise<VaultEmulator> {
    const emulator = new VaultEmulator(options.rootToken ?? `hvs.${randomBytes(18).toString('base64url')}`);
    for (const [path, version] of Object.entries(options.mounts ?? { 'secret-concourse': 2 })) {
      emulator.mount(path, version);
    }
    emulator.server = createServer((req, res) => {
      emulator.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [String(error)] }));
      });
    });
    emulator.url = await listenOnLoopback(emulator.server);
    return emulator;
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }

  mount(path: string, version: MountType): void {
    this.mounts.set(path.replace(/\/+$/, ''), version);
  }

  /** Creates an aes256-gcm96 key on a transit mount, as `vault write -f <mount>/keys/<name>` would. */
  createTransitKey(mount: string, name: string): void {
    if (this.mounts.get(mount) !== 'transit') this.mount(mount, 'transit');
    this.transit.createKey(mount, name);
  }

  createToken(options: {
    rules: PolicyRule[];
    ttlSeconds?: number;
    renewable?: boolean;
    policyName?: string;
  }): string {
    const token = `hvs.${randomBytes(18).toString('base64url')}`;
    const ttlSeconds = options.ttlSeconds ?? 3600;
    this.tokens.set(token, {
      policies: ['default', options.policyName ?? 'custom'],
      rules: options.rules,
      ttlSeconds,
      expiresAt: this.now() + ttlSeconds * 1000,
      renewable: options.renewable ?? true,
    });
    return token;
  }

  addAppRole(name: string, rules: PolicyRule[], ttlSeconds = 3600): { roleId: string; secretId: string } {
    const roleId = randomUUID();
    const secretId = randomUUID();
    this.approles.set(roleId, { secretId, rules, name, ttlSeconds });
    return { roleId, secretId };
  }

  /** Every token except the root token stops working, as when their TTL runs out. */
  expireTokens(): void {
    for (const [token, entry] of this.tokens) if (token !== this.rootToken) entry.expiresAt = 0;
  }

  seal(): void {
    this.sealed = true;
  }

  unseal(): void {
    this.sealed = false;
  }

  setLatencyMs(ms: number): void {
    this.latencyMs = ms;
  }

  /** Moves the emulator's clock (token expiry, KV times) forward, e.g. past delete_version_after. */
  advanceClock(seconds: number): void {
    this.clockOffsetMs += seconds * 1000;
  }

  raceNextWrite(change: () => void): void {
    this.beforeNextWrite = change;
  }

  /** Writes directly as another client would (bypassing policies), e.g. to simulate a race. */
  writeAsOther(mount: string, path: string, data: Record<string, unknown>): void {
    (this.mounts.get(mount) === 2 ? this.kv2 : this.kv1).write(mount, path, data);
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private runRace(): void {
    this.beforeNextWrite?.();
    this.beforeNextWrite = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestBody = await readBody(req);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const url = new URL(req.url ?? '/', 'http://vault');
    const method = req.method === 'PUT' ? 'POST' : (req.method ?? 'GET');
    const send: Send = (status, body) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      this.traffic.push({
        method: req.method ?? '',
        path: url.pathname,
        status,
        requestBody,
        responseBody: text,
      });
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(text || undefined);
    };
    const path = url.pathname.replace(/^\/v1\//, '');
    if (path === 'sys/health')
      return send(this.sealed ? 503 : 200, { initialized: true, sealed: this.sealed, standby: false });
    if (this.sealed) return send(503, { errors: ['Vault is sealed'] });
    let body: Record<string, unknown> = {};
    try {
      body = requestBody ? (JSON.parse(requestBody) as Record<string, unknown>) : {};
    } catch {
      return send(400, { errors: ['failed to parse JSON input'] });
    }
    if (method === 'POST' && path === 'auth/approle/login') return this.approleLogin(body, send);

    const tokenHeader =
      req.headers['x-vault-token'] ?? /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = typeof tokenHeader === 'string' ? this.tokens.get(tokenHeader) : undefined;
    if (!token || token.expiresAt <= this.now()) return send(403, PERMISSION_DENIED);

    if (method === 'GET' && path === 'auth/token/lookup-self') {
      const ttl = Number.isFinite(token.expiresAt)
        ? Math.max(0, Math.round((token.expiresAt - this.now()) / 1000))
        : 0;
      return send(200, envelope({ policies: token.policies, ttl, renewable: token.renewable }));
    }
    if (method === 'POST' && path === 'auth/token/renew-self') {
      if (!token.renewable) return send(400, { errors: ['lease is not renewable'] });
      token.expiresAt = this.now() + token.ttlSeconds * 1000;
      return send(200, {
        ...envelope(null),
        auth: {
          client_token: tokenHeader,
          lease_duration: token.ttlSeconds,
          renewable: true,
          policies: token.policies,
        },
      });
    }
    if (method === 'POST' && path === 'sys/capabilities-self') {
      const paths = Array.isArray(body.paths) ? (body.paths as string[]) : [];
      const result = Object.fromEntries(paths.map((p) => [p, this.capabilities(token, p)]));
      const first = paths[0] ? (result[paths[0]] as string[]) : [];
      return send(200, { ...result, capabilities: first, ...envelope(result) });
    }
    const mountInfo = /^sys\/internal\/ui\/mounts\/(.+)$/.exec(path);
    if (method === 'GET' && mountInfo) {
      const mount = this.mountOf(mountInfo[1] as string);
      if (!mount) return send(403, PERMISSION_DENIED);
      const version = this.mounts.get(mount);
      const type = version === 'transit' ? 'transit' : 'kv';
      return send(200, envelope({ type, path: `${mount}/`, options: version === 2 ? { version: '2' } : {} }));
    }
    const mount = this.mountOf(path);
    if (!mount) return send(404, { errors: [`no handler for route "${path}". route entry not found.`] });
    const request: KvRequest = {
      method,
      mount,
      rest: path.slice(mount.length + 1),
      body,
      query: url.searchParams,
      can: (where, capability) => this.allowed(token, where, capability),
      beforeWrite: () => this.runRace(),
    };
    const type = this.mounts.get(mount);
    (type === 'transit' ? this.transit : type === 2 ? this.kv2 : this.kv1).handle(request, send);
  }

  private approleLogin(body: Record<string, unknown>, send: Send): void {
    const role = this.approles.get(String(body.role_id ?? ''));
    if (!role || role.secretId !== body.secret_id) {
      send(400, { errors: ['invalid role or secret ID'] });
      return;
    }
    const token = this.createToken({ rules: role.rules, ttlSeconds: role.ttlSeconds, policyName: role.name });
    send(200, {
      ...envelope(null),
      auth: {
        client_token: token,
        accessor: randomUUID(),
        policies: ['default', role.name],
        token_policies: ['default', role.name],
        metadata: { role_name: role.name },
        lease_duration: role.ttlSeconds,
        renewable: true,
        token_type: 'service',
        orphan: true,
      },
    });
  }

  private mountOf(path: string): string | undefined {
    return [...this.mounts.keys()].find((mount) => path === mount || path.startsWith(`${mount}/`));
  }

  private allowed(token: TokenEntry, path: string, capability: Capability): boolean {
    return this.capabilities(token, path).some((c) => c === 'root' || c === capability);
  }

  private capabilities(token: TokenEntry, path: string): string[] {
    if (token.policies.includes('root')) return ['root'];
    const granted = token.rules
      .filter((rule) =>
        rule.path.endsWith('*') ? path.startsWith(rule.path.slice(0, -1)) : path === rule.path,
      )
      .flatMap((rule) => rule.capabilities);
    return granted.length > 0 ? [...new Set(granted)] : ['deny'];
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
