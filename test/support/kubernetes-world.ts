import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcourseEmulator } from '../../emulators/concourse/concourse-emulator.js';
import { DEFAULT_STATES } from '../../emulators/edx-worker/edx-worker-host.js';
import { FULL_ACCESS, KubernetesEmulator } from '../../emulators/kubernetes/kubernetes-emulator.js';
import { LmsImage } from '../../emulators/kubernetes/lms-image.js';
import { VaultEmulator } from '../../emulators/vault/vault-emulator.js';
import { type Catalog, parseCatalog } from '../../src/config/catalog.js';
import { CONCOURSE_PASSWORD, CONCOURSE_USER } from './remote-world.js';

export const CONTEXT = 'applications-qa';
export const NAMESPACE = 'mitxonline-openedx';
export const SELECTOR = 'ol.mit.edu/application=lms-edxapp,ol.mit.edu/component=webapp';
export const CONTAINER = 'lms-edxapp-app';
export const POD = 'lms-edxapp-app-6f7d9-x2k4p';
const TOKEN = 'retirement-bot-token';

/**
 * mitxonline qa as MIT runs it: the LMS in a pod of an EKS cluster (the Kubernetes emulator with
 * the simulated edx-platform as the container's image), its web server for the token endpoint,
 * and the Vault and Concourse emulators. The kubeconfig is in KUBECONFIG, as the bot loads it.
 */
export interface KubernetesWorld {
  cluster: KubernetesEmulator;
  image: LmsImage;
  vault: VaultEmulator;
  concourse: ConcourseEmulator;
  /** The catalog with `commandTimeoutSeconds` as given. */
  catalog(commandTimeoutSeconds?: number): Catalog;
  /** The same catalog as a file's text, for bot processes a test spawns. */
  catalogYaml(commandTimeoutSeconds?: number): string;
  env: Record<string, string>;
  /** Grants the bot's identity these rules only (`"create pods/exec"`, …). */
  allow(rules: readonly string[]): void;
  /** The LMS deployment's pods: one Ready replica, or one that is not Ready. */
  setReady(ready: boolean): void;
  stop(): Promise<void>;
}

export async function startKubernetesWorld(): Promise<KubernetesWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'rb-kube-world-'));
  const image = await LmsImage.prepare({
    retirementStates: DEFAULT_STATES,
    workerUsername: 'retirement_service_worker',
  });
  const lmsUrl = await image.serve();
  const cluster = await KubernetesEmulator.start();
  const vault = await VaultEmulator.start();
  const concourse = await ConcourseEmulator.start({
    users: [{ username: CONCOURSE_USER, password: CONCOURSE_PASSWORD, teams: { mitxonline: ['member'] } }],
  });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, cluster.kubeconfig({ token: TOKEN }, CONTEXT));
  process.env.KUBECONFIG = kubeconfig;
  const allow = (rules: readonly string[]) =>
    cluster.addUser({ token: TOKEN, name: 'retirement-bot', allow: [...rules] });
  allow(FULL_ACCESS);
  const setReady = (ready: boolean) =>
    cluster.setPod(NAMESPACE, {
      name: POD,
      labels: { 'ol.mit.edu/application': 'lms-edxapp', 'ol.mit.edu/component': 'webapp' },
      containers: [image.container(CONTAINER), { name: 'vector' }],
      ownerKind: 'ReplicaSet',
      ready,
    });
  setReady(true);
  const catalogYaml = (commandTimeoutSeconds = 60) => `
defaults:
  lmsUrl: ${lmsUrl}
  workerUsername: retirement_service_worker
  workerEmailDomain: example.com
  dotApplicationName: retirement
  retirementStates: [${DEFAULT_STATES.join(', ')}]
  transport: kubernetes
  kubernetes: { context: ${CONTEXT}, namespace: "{app}-openedx", selector: "${SELECTOR}", container: ${CONTAINER}, commandTimeoutSeconds: ${commandTimeoutSeconds} }
  vault: { address: ${vault.url}, mount: secret-concourse, kvVersion: 2, path: "{team}/tubular_oauth_client" }
  concourse: { url: ${concourse.url}, pipeline: misc-cloud-tubular, job: deploy-tubular-world }
  approval: { required: false, allowSelfApproval: false, ttlMinutes: 60, approvers: { users: [], usergroups: [] } }
apps:
  mitxonline:
    concourse: { team: mitxonline }
    environments:
      qa: {}
`;
  return {
    cluster,
    image,
    vault,
    concourse,
    catalog: (commandTimeoutSeconds = 60) =>
      parseCatalog(catalogYaml(commandTimeoutSeconds), 'kubernetes-world'),
    catalogYaml,
    env: {
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
      CONCOURSE_USERNAME: CONCOURSE_USER,
      CONCOURSE_PASSWORD,
      CONCOURSE_BUILD_POLL_MS: '50',
    },
    allow,
    setReady,
    async stop() {
      await Promise.allSettled([cluster.stop(), vault.stop(), concourse.stop(), image.remove()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
