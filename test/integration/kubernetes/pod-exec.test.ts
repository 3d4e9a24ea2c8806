import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_ACCESS } from '../../../emulators/kubernetes/kubernetes-emulator.js';
import { withStdinVariables } from '../../../src/integrations/kubernetes/stdin-variables.js';
import { rejection } from '../../support/rejection.js';
import { EmulatedCluster, TOKEN, webPod } from './emulated-cluster.js';

/** The transport with the real client library against the emulated API server, exec by exec. */
let cluster: EmulatedCluster;
beforeAll(async () => {
  cluster = await EmulatedCluster.start();
});
afterAll(async () => {
  await cluster?.stop();
});

describe('KubernetesExecTransport exec', () => {
  it('runs an argv under timeout in the newest ready pod, streams apart, exit code from the status channel', async () => {
    const namespace = cluster.namespace([
      webPod('lms-edxapp-app-5d9f-old', { createdAt: '2025-01-01T00:00:00Z' }),
      webPod('lms-edxapp-app-7c4b-new', { createdAt: '2025-02-01T00:00:00Z' }),
    ]);
    const transport = await cluster.connect(namespace);
    const failed = await transport.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'], {
      timeoutSeconds: 60,
    });
    expect(failed).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3, signal: null });
    const passed = await transport.exec(['echo', 'fine'], { timeoutSeconds: 60 });
    expect(passed).toEqual({ stdout: 'fine\n', stderr: '', code: 0, signal: null });

    const url = cluster.emulator.execUrls().at(-1) ?? '';
    expect(url).toContain(`/namespaces/${namespace}/pods/lms-edxapp-app-7c4b-new/exec?`);
    const query = new URL(url, 'https://x').searchParams;
    expect(query.getAll('command')).toEqual(['timeout', '-k', '30', '60', 'echo', 'fine']);
    expect(query.get('container')).toBe('lms-edxapp-app');
    expect(query.get('stdin')).toBe('false');
  });

  it('offers v5 first and ends stdin with a v5 close frame, so a reader of stdin finishes', async () => {
    const transport = await cluster.connect(cluster.namespace([webPod('lms-1')]));
    const result = await transport.exec(['cat'], { timeoutSeconds: 10, stdin: 'line one\nline two' });
    expect(result).toMatchObject({ stdout: 'line one\nline two', code: 0 });
    const offered = cluster.emulator.requests.at(-1)?.protocols ?? '';
    expect(offered.split(',').map((p) => p.trim())).toEqual([
      'v5.channel.k8s.io',
      'v4.channel.k8s.io',
      'v3.channel.k8s.io',
      'v2.channel.k8s.io',
      'channel.k8s.io',
    ]);
  });

  it('passes a secret on stdin to a sh -c wrapper: it reaches the process and no exec URL', async () => {
    const secret = randomBytes(24).toString('base64url');
    const transport = await cluster.connect(cluster.namespace([webPod('lms-1')]));
    const { argv, stdin } = withStdinVariables(
      { RB_SECRET: secret, RB_USERNAME: 'retirement_service_worker' },
      [
        'python3',
        '-c',
        'import hashlib, os; print(hashlib.sha256(os.environ["RB_SECRET"].encode()).hexdigest(), os.environ["RB_USERNAME"])',
      ],
    );
    const result = await transport.exec(argv, { timeoutSeconds: 30, stdin });
    const digest = createHash('sha256').update(secret).digest('hex');
    expect(result).toMatchObject({ stdout: `${digest} retirement_service_worker\n`, code: 0 });

    expect(cluster.emulator.requests.length).toBeGreaterThan(0);
    for (const { url } of cluster.emulator.requests) {
      expect(url).not.toContain(secret);
      expect(decodeURIComponent(url.replace(/\+/g, ' '))).not.toContain(secret);
    }
  });

  it('carries no environment into the container: only what the image sets', async () => {
    const transport = await cluster.connect(cluster.namespace([webPod('lms-1')]));
    const { stdout } = await transport.exec(['env'], { timeoutSeconds: 10 });
    expect(stdout).not.toContain('KUBECONFIG');
    expect(stdout).toContain('PATH=');
  });

  it('stops a command at its timeout inside the container (exit 124), as over SSH', async () => {
    const transport = await cluster.connect(cluster.namespace([webPod('lms-1')]));
    const started = Date.now();
    const result = await transport.exec(['sleep', '30'], { timeoutSeconds: 1 });
    expect(result.code).toBe(124);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up waiting after the timeout and grace when the process outlives them', async () => {
    const transport = await cluster.connect(cluster.namespace([webPod('lms-1')]), { clientGraceSeconds: 1 });
    const error = await rejection(
      transport.exec(['sh', '-c', 'trap "" TERM; sleep 60'], { timeoutSeconds: 1 }),
    );
    expect(error).toMatchObject({ code: 'kubernetes_command_timeout', retryable: true });
  });

  it('treats a socket closed without a status frame as a retryable failure, not an exit code', async () => {
    const namespace = cluster.namespace([webPod('lms-1', { execFault: 'close-without-status' })]);
    const transport = await cluster.connect(namespace);
    const error = await rejection(transport.exec(['echo', 'hi'], { timeoutSeconds: 10 }));
    expect(error).toMatchObject({ code: 'kubernetes_exec_interrupted', retryable: true });
    expect(error.userMessage).toContain('lms-1');
  });

  it('treats an InternalError status as a retryable infrastructure failure', async () => {
    const namespace = cluster.namespace([webPod('lms-1', { execFault: 'internal-error' })]);
    const transport = await cluster.connect(namespace);
    const error = await rejection(transport.exec(['echo', 'hi'], { timeoutSeconds: 10 }));
    expect(error).toMatchObject({ code: 'kubernetes_exec_failed', retryable: true });
    expect(error.detail).toContain('InternalError');
  });

  it('chooses again when the chosen pod disappears', async () => {
    const namespace = cluster.namespace([webPod('lms-old')]);
    const transport = await cluster.connect(namespace);
    cluster.emulator.removePod(namespace, 'lms-old');
    cluster.emulator.setPod(namespace, webPod('lms-new'));
    const result = await transport.exec(['echo', 'moved'], { timeoutSeconds: 10 });
    expect(result).toMatchObject({ stdout: 'moved\n', code: 0 });
    expect(cluster.emulator.execUrls().at(-1)).toContain('/pods/lms-new/exec?');
  });

  it('names the verb, resource and namespace when exec is forbidden after preflight', async () => {
    const namespace = cluster.namespace([webPod('lms-1')]);
    const transport = await cluster.connect(namespace);
    cluster.emulator.addUser({ token: TOKEN, name: 'retirement-bot', allow: ['list pods', 'get pods'] });
    try {
      const error = await rejection(transport.exec(['echo', 'hi'], { timeoutSeconds: 10 }));
      expect(error.code).toBe('kubernetes_forbidden');
      expect(error.userMessage).toBe(
        `The bot may not create pods/exec in namespace ${namespace} (context emulator).`,
      );
      expect(error.detail).toContain('User "retirement-bot" cannot create resource "pods/exec"');
    } finally {
      cluster.emulator.addUser({ token: TOKEN, name: 'retirement-bot', allow: FULL_ACCESS });
    }
  });
});

describe('KubernetesExecTransport against a server that speaks only v4.channel.k8s.io', () => {
  let v4: EmulatedCluster;
  beforeAll(async () => {
    v4 = await EmulatedCluster.start({ protocols: ['v4.channel.k8s.io'] });
  });
  afterAll(async () => {
    await v4?.stop();
    await cluster.useKubeconfig({ token: TOKEN });
  });

  it('falls back to v4: exit codes still come from the status channel, stdin variables still arrive', async () => {
    const transport = await v4.connect(v4.namespace([webPod('lms-1')]));
    expect(await transport.exec(['sh', '-c', 'exit 2'], { timeoutSeconds: 10 })).toMatchObject({ code: 2 });
    const { argv, stdin } = withStdinVariables({ RB_VALUE: 'over v4' }, ['sh', '-c', 'echo "$RB_VALUE"']);
    expect(await transport.exec(argv, { timeoutSeconds: 10, stdin })).toMatchObject({
      stdout: 'over v4\n',
      code: 0,
    });
  });
});
