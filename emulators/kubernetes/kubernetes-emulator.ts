import type { ChildProcess } from 'node:child_process';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Duplex } from 'node:stream';
import WebSocket from 'isomorphic-ws';
import { closeServer, listenOnLoopback } from '../loopback-server.js';
import type { EmulatedPod } from './api-objects.js';
import {
  type EmulatedUser,
  execRoute,
  isReview,
  type Reply,
  readReply,
  reviewReply,
  UNAUTHORIZED,
} from './api-routes.js';
import { EXEC_PROTOCOLS, type ExecProtocol, runExecSession, type ServerSocket } from './exec-session.js';
import { loopbackCertificate } from './loopback-tls.js';

export type { EmulatedPod } from './api-objects.js';
export type { EmulatedUser } from './api-routes.js';

/**
 * A Kubernetes API server on loopback (HTTPS, bearer tokens), as much of it as the bot and kubectl
 * use: discovery, pods list and get, exec over websockets whose commands run as local processes,
 * and SelfSubjectAccessReview. Each token has RBAC-like rules (`"create pods/exec"`); refusals are
 * the Status bodies the API server writes. Every request's URL is recorded.
 */
export const FULL_ACCESS = ['list pods', 'get pods', 'create pods/exec', 'get pods/exec'] as const;

export interface RecordedRequest {
  method: string;
  url: string;
  /** The websocket subprotocols the client offered, as sent. */
  protocols?: string;
}

interface WebSocketServerLike {
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    done: (ws: ServerSocket) => void,
  ): void;
  close(): void;
}

/** `ws` through isomorphic-ws (what the client library itself loads), typed by hand: neither ships declarations. */
const { WebSocketServer } = WebSocket as unknown as {
  WebSocketServer: new (options: {
    noServer: true;
    handleProtocols: (offered: Set<string>) => string | false;
  }) => WebSocketServerLike;
};

export class KubernetesEmulator {
  url = '';
  /** The server certificate (self-signed) as kubeconfig's `certificate-authority-data`. */
  caData = '';
  readonly requests: RecordedRequest[] = [];
  private readonly users = new Map<string, EmulatedUser>();
  private readonly namespaces = new Map<string, Map<string, EmulatedPod>>();
  private readonly children = new Set<ChildProcess>();
  private server: Server | undefined;
  private readonly sockets: WebSocketServerLike;

  /** `protocols`: the exec subprotocols accepted, preferred first. */
  private constructor(private readonly protocols: readonly ExecProtocol[]) {
    this.sockets = new WebSocketServer({
      noServer: true,
      handleProtocols: (offered) => this.protocols.find((p) => offered.has(p)) ?? false,
    });
  }

  static async start(options: { protocols?: readonly ExecProtocol[] } = {}): Promise<KubernetesEmulator> {
    const emulator = new KubernetesEmulator(options.protocols ?? EXEC_PROTOCOLS);
    const { key, cert } = await loopbackCertificate();
    emulator.caData = Buffer.from(cert).toString('base64');
    emulator.server = createServer({ key, cert }, (request, response) => {
      emulator.handle(request, response).catch(() => response.destroy());
    });
    emulator.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      emulator.upgrade(request, socket, head),
    );
    emulator.url = (await listenOnLoopback(emulator.server)).replace('http:', 'https:');
    return emulator;
  }

  addUser(user: EmulatedUser): void {
    this.users.set(user.token, user);
  }

  setPod(namespace: string, pod: EmulatedPod): void {
    const pods = this.namespaces.get(namespace) ?? new Map<string, EmulatedPod>();
    pods.set(pod.name, { createdAt: new Date().toISOString(), ...pod });
    this.namespaces.set(namespace, pods);
  }

  removePod(namespace: string, name: string): void {
    this.namespaces.get(namespace)?.delete(name);
  }

  /** The URLs of the exec requests received, for checking what reached the API server's logs. */
  execUrls(): string[] {
    return this.requests.filter((r) => r.url.includes('/exec?')).map((r) => r.url);
  }

  /** A kubeconfig (JSON is YAML) for this server; `user` is the kubeconfig's user stanza. */
  kubeconfig(user: Record<string, unknown>, context = 'emulator'): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': context,
      clusters: [
        { name: 'emulator', cluster: { server: this.url, 'certificate-authority-data': this.caData } },
      ],
      users: [{ name: 'emulator-user', user }],
      contexts: [{ name: context, context: { cluster: 'emulator', user: 'emulator-user' } }],
    });
  }

  async stop(): Promise<void> {
    for (const child of this.children) {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }
    this.sockets.close();
    await closeServer(this.server);
  }

  private record(request: IncomingMessage): void {
    const protocols = request.headers['sec-websocket-protocol'];
    this.requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      ...(protocols ? { protocols } : {}),
    });
  }

  private authenticate(request: IncomingMessage): EmulatedUser | undefined {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    return match ? this.users.get(match[1] ?? '') : undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.record(request);
    const user = this.authenticate(request);
    const url = new URL(request.url ?? '/', this.url);
    const method = request.method ?? '';
    let reply: Reply;
    if (!user) reply = UNAUTHORIZED;
    else if (isReview(method, url)) {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      reply = reviewReply(user, Buffer.concat(chunks).toString('utf8'));
    } else reply = readReply(this.namespaces, user, method, url);
    response.writeHead(reply.code, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.record(request);
    const user = this.authenticate(request);
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const url = new URL(request.url ?? '/', this.url);
    const route = user ? execRoute(this.namespaces, user, url, offered, this.protocols) : UNAUTHORIZED;
    if ('argv' in route) {
      this.sockets.handleUpgrade(request, socket, head, (ws) => runExecSession(ws, route, this.children));
      return;
    }
    const text = JSON.stringify(route.body);
    socket.end(
      `HTTP/1.1 ${route.code} ${STATUS_CODES[route.code]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
}
