import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FULL_ACCESS, KubernetesEmulator } from '../../emulators/kubernetes/kubernetes-emulator.js';
import { canRunLmsImage, LmsImage } from '../../emulators/kubernetes/lms-image.js';
import type { Target } from '../config/catalog.js';
import { BotError } from '../errors.js';

type KubernetesTarget = Extract<Target, { transport: 'kubernetes' }>;

const TOKEN = 'sandbox-retirement-bot';

interface Pod {
  image: LmsImage;
  lmsUrl: string;
}

/**
 * The pairs the sandbox runs over Kubernetes: one emulated API server per kubeconfig context (a
 * cluster, as at MIT), and per pair a Ready LMS pod whose container runs the simulated
 * edx-platform, prepared the first time a run needs it. The kubeconfig naming every context is
 * put in KUBECONFIG, which the bot loads the standard way: the sandbox is a process of its own.
 */
export class SimulatedLmsPods {
  private readonly clusters = new Map<string, Promise<KubernetesEmulator>>();
  private readonly pods = new Map<string, Promise<Pod>>();
  /** The clusters started, in the kubeconfig's order. */
  private readonly entries: { context: string; emulator: KubernetesEmulator }[] = [];

  private constructor(private readonly dir: string) {}

  static async create(): Promise<SimulatedLmsPods> {
    const pods = new SimulatedLmsPods(await mkdtemp(join(tmpdir(), 'sandbox-kube-')));
    process.env.KUBECONFIG = join(pods.dir, 'kubeconfig');
    return pods;
  }

  /** Starts the pair's cluster and pod if need be; the target itself is used unchanged. */
  async ready(target: KubernetesTarget): Promise<void> {
    await this.pod(target);
  }

  /** The pair's LMS web server, if its pod has started, for the LMS token proxy. */
  lmsUrl(app: string, env: string): Promise<string> | undefined {
    return this.pods.get(`${app}/${env}`)?.then((pod) => pod.lmsUrl);
  }

  private pod(target: KubernetesTarget): Promise<Pod> {
    if (!canRunLmsImage()) {
      return Promise.reject(
        new BotError({
          code: 'sandbox_lms_pod_unavailable',
          userMessage:
            'The simulated LMS pod needs Debian python3-django/python3-django-oauth-toolkit on this machine; run scripts/ensure-setup.sh as root.',
        }),
      );
    }
    const key = `${target.app}/${target.env}`;
    let pod = this.pods.get(key);
    if (!pod) {
      pod = this.startPod(target);
      pod.catch(() => this.pods.delete(key));
      this.pods.set(key, pod);
    }
    return pod;
  }

  private async startPod(target: KubernetesTarget): Promise<Pod> {
    const { context = 'sandbox', namespace, selector, container } = target.kubernetes;
    const cluster = await this.cluster(context);
    const image = await LmsImage.prepare({
      retirementStates: target.retirementStates,
      workerUsername: target.workerUsername,
    });
    const lmsUrl = await image.serve();
    cluster.setPod(namespace, {
      name: `${container}-${target.env}-5d8f7-q2x9z`,
      labels: labelsOf(selector),
      containers: [image.container(container), { name: 'vector' }],
      ownerKind: 'ReplicaSet',
    });
    return { image, lmsUrl };
  }

  private cluster(context: string): Promise<KubernetesEmulator> {
    let cluster = this.clusters.get(context);
    if (!cluster) {
      cluster = KubernetesEmulator.start().then(async (emulator) => {
        emulator.addUser({ token: TOKEN, name: 'retirement-bot', allow: FULL_ACCESS });
        await this.writeKubeconfig(context, emulator);
        return emulator;
      });
      this.clusters.set(context, cluster);
    }
    return cluster;
  }

  private async writeKubeconfig(context: string, emulator: KubernetesEmulator): Promise<void> {
    this.entries.push({ context, emulator });
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': this.entries[0]?.context,
      clusters: this.entries.map((e) => ({
        name: e.context,
        cluster: { server: e.emulator.url, 'certificate-authority-data': e.emulator.caData },
      })),
      users: [{ name: 'retirement-bot', user: { token: TOKEN } }],
      contexts: this.entries.map((e) => ({
        name: e.context,
        context: { cluster: e.context, user: 'retirement-bot' },
      })),
    };
    await writeFile(join(this.dir, 'kubeconfig'), JSON.stringify(config), { mode: 0o600 });
  }

  async stop(): Promise<void> {
    const pods = [...this.pods.values()];
    const clusters = [...this.clusters.values()];
    this.pods.clear();
    this.clusters.clear();
    await Promise.allSettled(pods.map(async (pod) => (await pod).image.remove()));
    await Promise.allSettled(clusters.map(async (cluster) => (await cluster).stop()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The labels a pod needs to match an equality selector such as the catalog's `a=b,c=d`. */
function labelsOf(selector: string): Record<string, string> {
  return Object.fromEntries(
    selector
      .split(',')
      .map((term) => term.split('=').map((part) => part.trim()))
      .filter((parts): parts is [string, string] => parts.length === 2 && parts[0] !== ''),
  );
}
