import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { EmulatedContainer, ExecFault } from './api-objects.js';

/** The channel subprotocols, best first: v5 adds closing stdin on channel 255; v4 made channel 3 a JSON Status. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
/** v1 to v3 put plain text, not a Status, on channel 3; nothing the bot or kubectl uses asks for them. */
export type ExecProtocol = (typeof EXEC_PROTOCOLS)[number];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;

/** The parts of a `ws` server-side socket used here (the package ships no type declarations). */
export interface ServerSocket {
  readonly protocol: string;
  send(data: Buffer): void;
  close(code?: number): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

export interface ExecRequest {
  argv: string[];
  container: EmulatedContainer;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  fault?: ExecFault;
}

/** Like a container started without `env`: the image's PATH and nothing of the emulator's own environment. */
const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function frame(channel: number, payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from([channel]), data]);
}

function exitStatus(code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command, exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function internalError(message: string): object {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

/**
 * Runs one exec as a local process group, the way the kubelet runs it in a container: output on
 * channels 1 and 2, stdin from channel 0 (ended by a v5 close frame or by the socket closing), then
 * the outcome on channel 3 and a normal close. Like the real thing, a closed socket does not stop
 * the process; `children` keeps it so the emulator can end it when it stops.
 */
export function runExecSession(
  socket: ServerSocket,
  request: ExecRequest,
  children: Set<ChildProcess>,
): void {
  const finish = (status: object) => {
    socket.send(frame(STATUS, JSON.stringify(status)));
    socket.close(1000);
  };
  if (request.fault === 'internal-error') {
    finish(internalError('error sending request: dial tcp 10.0.0.1:10250: connect: connection refused'));
    return;
  }
  const [file = '', ...args] = request.argv;
  const child = spawn(file, args, {
    cwd: request.container.workingDir ?? '/',
    env: { PATH: IMAGE_PATH, ...request.container.env },
    stdio: [
      request.stdin ? 'pipe' : 'ignore',
      request.stdout ? 'pipe' : 'ignore',
      request.stderr ? 'pipe' : 'ignore',
    ],
    detached: true,
  });
  children.add(child);
  child.stdout?.on('data', (chunk: Buffer) => socket.send(frame(STDOUT, chunk)));
  child.stderr?.on('data', (chunk: Buffer) => socket.send(frame(STDERR, chunk)));
  // The process may exit, or close stdin, before the client stops writing.
  child.stdin?.on('error', () => undefined);
  socket.on('error', () => undefined);
  socket.on('message', (data) => {
    const channel = data[0];
    if (channel === STDIN) child.stdin?.write(data.subarray(1));
    if (channel === CLOSE && data[1] === STDIN && socket.protocol === EXEC_PROTOCOLS[0]) child.stdin?.end();
  });
  socket.on('close', () => child.stdin?.end());

  let started = true;
  child.on('error', (error: NodeJS.ErrnoException) => {
    started = false;
    children.delete(child);
    const reason =
      error.code === 'ENOENT' ? `exec: "${file}": executable file not found in $PATH` : error.message;
    finish(
      internalError(`OCI runtime exec failed: exec failed: unable to start container process: ${reason}`),
    );
  });
  child.on('close', (code, signal) => {
    children.delete(child);
    if (!started) return;
    if (request.fault === 'close-without-status') {
      socket.close(1000);
      return;
    }
    finish(exitStatus(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
