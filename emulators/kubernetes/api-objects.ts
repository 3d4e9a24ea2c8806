import { createHash } from 'node:crypto';

/** Where a container's processes run on this machine: the emulator's stand-in for the image. */
export interface EmulatedContainer {
  name: string;
  workingDir?: string;
  env?: Record<string, string>;
}

/** What exec into a pod does instead of, or besides, running the command. */
export type ExecFault = 'close-without-status' | 'internal-error';

export interface EmulatedPod {
  name: string;
  labels: Record<string, string>;
  containers: EmulatedContainer[];
  initContainers?: string[];
  /** Running when absent; Succeeded is how a finished Job pod (kubectl's "Completed") looks. */
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** The Ready condition; true when absent unless the phase is not Running. */
  ready?: boolean;
  deleting?: boolean;
  ownerKind?: 'ReplicaSet' | 'Job';
  createdAt?: string;
  execFault?: ExecFault;
}

export interface StatusDetails {
  name?: string;
  kind?: string;
}

/** A Status body exactly as the API server writes one for a failed request. */
export function statusBody(code: number, reason: string, message: string, details?: StatusDetails): object {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function forbiddenMessage(
  user: string,
  verb: string,
  resource: string,
  namespace: string,
  name?: string,
): string {
  const [kind] = resource.split('/');
  const object = name ? `${kind} "${name}"` : kind;
  return `${object} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`;
}

function uid(namespace: string, name: string): string {
  const hex = createHash('sha256').update(`${namespace}/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function podObject(namespace: string, pod: EmulatedPod): Record<string, unknown> {
  const phase = pod.phase ?? 'Running';
  const ready = pod.ready ?? phase === 'Running';
  const owner = pod.ownerKind ?? 'ReplicaSet';
  const containerStatus = (name: string) => ({
    name,
    ready,
    started: phase === 'Running',
    restartCount: 0,
    image: `emulated/${name}:latest`,
    imageID: '',
    state:
      phase === 'Running'
        ? { running: { startedAt: pod.createdAt } }
        : { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: 'Completed' } },
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace,
      uid: uid(namespace, pod.name),
      resourceVersion: '1',
      creationTimestamp: pod.createdAt,
      labels: pod.labels,
      ...(pod.deleting
        ? { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 }
        : {}),
      ownerReferences: [
        {
          apiVersion: owner === 'Job' ? 'batch/v1' : 'apps/v1',
          kind: owner,
          name: pod.name.replace(/-[a-z0-9]+$/, ''),
          uid: uid(namespace, `${owner}/${pod.name}`),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      initContainers: (pod.initContainers ?? []).map((name) => ({ name, image: `emulated/${name}:latest` })),
      containers: pod.containers.map((c) => ({
        name: c.name,
        image: `emulated/${c.name}:latest`,
        ...(c.workingDir ? { workingDir: c.workingDir } : {}),
      })),
      restartPolicy: owner === 'Job' ? 'Never' : 'Always',
    },
    status: {
      phase,
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
        { type: 'Ready', status: ready ? 'True' : 'False' },
        { type: 'PodScheduled', status: 'True' },
      ],
      initContainerStatuses: (pod.initContainers ?? []).map((name) => ({
        ...containerStatus(name),
        ready: true,
        state: { terminated: { exitCode: 0, reason: 'Completed' } },
      })),
      containerStatuses: pod.containers.map((c) => containerStatus(c.name)),
    },
  };
}

/** Legacy (unaggregated) discovery, which kubectl falls back to when the answer is plain JSON. */
export function discovery(path: string, serverAddress: string): object | undefined {
  switch (path) {
    case '/version':
      return {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.0-emulator',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2025-01-01T00:00:00Z',
        goVersion: 'go1.23.0',
        compiler: 'gc',
        platform: 'linux/amd64',
      };
    case '/api':
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
      };
    case '/apis':
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          {
            name: 'authorization.k8s.io',
            versions: [{ groupVersion: 'authorization.k8s.io/v1', version: 'v1' }],
            preferredVersion: { groupVersion: 'authorization.k8s.io/v1', version: 'v1' },
          },
        ],
      };
    case '/api/v1':
      return {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          {
            name: 'pods',
            singularName: 'pod',
            namespaced: true,
            kind: 'Pod',
            verbs: ['get', 'list'],
            shortNames: ['po'],
            categories: ['all'],
          },
          {
            name: 'pods/exec',
            singularName: '',
            namespaced: true,
            kind: 'PodExecOptions',
            verbs: ['create', 'get'],
          },
        ],
      };
    case '/apis/authorization.k8s.io/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'authorization.k8s.io/v1',
        resources: [
          {
            name: 'selfsubjectaccessreviews',
            singularName: 'selfsubjectaccessreview',
            namespaced: false,
            kind: 'SelfSubjectAccessReview',
            verbs: ['create'],
          },
        ],
      };
    default:
      return undefined;
  }
}
