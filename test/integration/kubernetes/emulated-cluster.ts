import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ExecProtocol } from '../../../emulators/kubernetes/exec-session.js';
import {
  type EmulatedPod,
  FULL_ACCESS,
  KubernetesEmulator,
} from '../../../emulators/kubernetes/kubernetes-emulator.js';
import {
  type ArgvExecTransport,
  connectKubernetes,
  type KubernetesTransportOptions,
} from '../../../src/integrations/kubernetes/kubernetes-transport.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';

/** The LMS as MIT runs it on EKS (domain.md): Deployment and container `lms-edxapp-app`, these labels. */
export const LABELS = { 'ol.mit.edu/application': 'lms-edxapp', 'ol.mit.edu/component': 'webapp' };
export const SELECTOR = 'ol.mit.edu/application=lms-edxapp,ol.mit.edu/component=webapp';
export const APP = 'lms-edxapp-app';
export const TOKEN = 'bot-token';

export function webPod(name: string, extra: Partial<EmulatedPod> = {}): EmulatedPod {
  return {
    name,
    labels: LABELS,
    containers: [{ name: APP, workingDir: tmpdir() }, { name: 'vector' }],
    initContainers: ['config-render'],
    ...extra,
  };
}

export const logs: string[] = [];
const logger = createLogger({
  level: 'debug',
  redactor: new SecretRedactor(),
  destination: new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  }),
});

/**
 * An emulated API server with a full-access token, a kubeconfig for it in KUBECONFIG (the
 * transport loads it the standard way), and a fresh namespace per scenario.
 */
export class EmulatedCluster {
  private namespaces = 0;

  private constructor(
    readonly emulator: KubernetesEmulator,
    readonly dir: string,
  ) {}

  static async start(options: { protocols?: readonly ExecProtocol[] } = {}): Promise<EmulatedCluster> {
    const emulator = await KubernetesEmulator.start(options);
    emulator.addUser({ token: TOKEN, name: 'retirement-bot', allow: FULL_ACCESS });
    const cluster = new EmulatedCluster(emulator, await mkdtemp(join(tmpdir(), 'kube-test-')));
    await cluster.useKubeconfig({ token: TOKEN });
    return cluster;
  }

  async useKubeconfig(user: Record<string, unknown>, context = 'emulator'): Promise<string> {
    const path = join(this.dir, 'kubeconfig');
    await writeFile(path, this.emulator.kubeconfig(user, context));
    process.env.KUBECONFIG = path;
    return path;
  }

  /** A namespace of its own holding `pods`. */
  namespace(pods: EmulatedPod[]): string {
    this.namespaces += 1;
    const namespace = `mitxonline-openedx-${this.namespaces}`;
    for (const pod of pods) this.emulator.setPod(namespace, pod);
    return namespace;
  }

  connect(namespace: string, options: Partial<KubernetesTransportOptions> = {}): Promise<ArgvExecTransport> {
    return connectKubernetes({ namespace, selector: SELECTOR, container: APP, logger, ...options });
  }

  async stop(): Promise<void> {
    await this.emulator.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
