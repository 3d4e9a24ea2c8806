import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
// The package index does not export the handler, and only it lets the socket be made here.
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import WebSocket from 'isomorphic-ws';
import { BotError } from '../../errors.js';
import { errorSummary, httpFailure, type KubeRequest } from './kube-errors.js';
import { type ExecOutcome, execOutcome } from './kube-status.js';

const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;
const STDIN = 0;
const V5 = 'v5.channel.k8s.io';
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** A refusal's body is a small Status; more is not worth holding. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/** The parts of a `ws` client socket used here; `ws` ships no type declarations. */
interface ExecSocket {
  readonly protocol: string;
  readonly readyState: number;
  send(data: Buffer): void;
  terminate(): void;
  once(event: 'close', listener: () => void): void;
}

interface ClientSocket extends ExecSocket {
  on(event: 'unexpected-response', listener: (request: unknown, response: IncomingMessage) => void): void;
}

const WebSocketClient = WebSocket as unknown as new (
  uri: string,
  protocols: string[],
  options: Record<string, unknown>,
) => ClientSocket;

const CLOSED = 3;

export interface PodExecRequest {
  config: KubeConfig;
  context: string;
  namespace: string;
  pod: string;
  container: string;
  argv: readonly string[];
  stdin?: string;
  /** How long the whole exec may take before the bot stops waiting (the process may still run). */
  deadlineMs: number;
}

export interface PodExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function execPath(request: PodExecRequest): string {
  const query = new URLSearchParams();
  for (const arg of request.argv) query.append('command', arg);
  query.set('container', request.container);
  query.set('stdin', String(request.stdin !== undefined));
  query.set('stdout', 'true');
  query.set('stderr', 'true');
  query.set('tty', 'false');
  const namespace = encodeURIComponent(request.namespace);
  return `/api/v1/namespaces/${namespace}/pods/${encodeURIComponent(request.pod)}/exec?${query}`;
}

/**
 * One exec over the API server's websocket (the client library offers v5.channel.k8s.io first,
 * then v4 and older): stdout and stderr collected apart, the exit code read from the status
 * channel. A socket that closes without a status frame has told nothing about the command, so it
 * is a retryable failure, never an exit code.
 */
export async function execInPod(request: PodExecRequest): Promise<PodExecResult> {
  const described: KubeRequest = {
    verb: 'create',
    resource: 'pods/exec',
    namespace: request.namespace,
    name: request.pod,
    context: request.context,
  };
  let refusal: { code: number; body: string } | undefined;
  let created: ClientSocket | undefined;
  const handler = new WebSocketHandler(
    request.config,
    (uri, protocols, options) => {
      const socket = new WebSocketClient(uri, protocols, {
        ...options,
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      });
      created = socket;
      socket.on('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          if (body.length < MAX_REFUSAL_BYTES) body += chunk.toString('utf8');
        });
        response.on('end', () => {
          refusal = { code: response.statusCode ?? 0, body };
          socket.terminate();
        });
      });
      return socket;
    },
    // The handler ends these on a server's close frame; by default they are the bot's own stdio.
    { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() },
  );

  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let outcome: ExecOutcome | undefined;
  const deadline = Date.now() + request.deadlineMs;
  const expired = () =>
    new BotError({
      code: 'kubernetes_command_timeout',
      userMessage: `A command in pod ${request.pod} did not finish within ${Math.round(request.deadlineMs / 1000)} s; the bot stopped waiting.`,
      retryable: true,
    });
  let socket: ExecSocket;
  try {
    socket = await withDeadline(
      handler.connect(execPath(request), null, (channel, data) => {
        if (channel === STDOUT) stdout.push(Buffer.from(data));
        if (channel === STDERR) stderr.push(Buffer.from(data));
        if (channel !== STATUS) return true;
        outcome = execOutcome(data);
        return false;
      }),
      request.deadlineMs,
      expired,
    );
  } catch (error) {
    created?.terminate();
    if (refusal) throw httpFailure(refusal.code, refusal.body, described);
    if (error instanceof BotError) throw error;
    // ws reports through an ErrorEvent, whose `error` is the cause.
    const cause = (error as { error?: unknown }).error ?? error;
    throw new BotError({
      code: 'kubernetes_unreachable',
      userMessage: `The Kubernetes API (context ${request.context}) could not be reached to exec into pod ${request.pod}.`,
      detail: errorSummary(cause),
      retryable: true,
      cause,
    });
  }

  if (request.stdin !== undefined) {
    socket.send(Buffer.concat([Buffer.from([STDIN]), Buffer.from(request.stdin)]));
    // v4 cannot end stdin without closing the socket, which would lose the output and status.
    if (socket.protocol === V5) socket.send(Buffer.from([CLOSE, STDIN]));
  }
  const closed = new Promise<void>((resolve) => {
    if (socket.readyState === CLOSED) resolve();
    else socket.once('close', resolve);
  });
  try {
    await withDeadline(closed, deadline - Date.now(), expired);
  } catch (error) {
    socket.terminate();
    throw error;
  }
  if (!outcome) {
    throw new BotError({
      code: 'kubernetes_exec_interrupted',
      userMessage: `The exec into pod ${request.pod} ended without an exit status; the command's outcome is unknown.`,
      detail: `the ${socket.protocol} socket closed before the status channel spoke`,
      retryable: true,
    });
  }
  if ('failure' in outcome) {
    throw new BotError({
      code: 'kubernetes_exec_failed',
      userMessage: `Kubernetes could not run the command in pod ${request.pod} (container ${request.container}).`,
      detail: outcome.failure,
      retryable: true,
    });
  }
  return {
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    exitCode: outcome.exitCode,
  };
}

async function withDeadline<T>(work: Promise<T>, ms: number, expired: () => BotError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), Math.max(ms, 0));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
