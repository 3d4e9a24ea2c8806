import { z } from 'zod';
import { discovery, type EmulatedPod, forbiddenMessage, podObject, statusBody } from './api-objects.js';
import type { ExecRequest } from './exec-session.js';
import { parseLabelSelector } from './label-selector.js';

/** What the emulated API server answers, apart from the transport of the answer. */
export interface EmulatedUser {
  token: string;
  name: string;
  /** `"<verb> <resource>"`, e.g. `"list pods"` or `"create pods/exec"`; they hold in every namespace. */
  allow: readonly string[];
}

export type Reply = { code: number; body: object };
export type Namespaces = ReadonlyMap<string, ReadonlyMap<string, EmulatedPod>>;

const NAMESPACE_PATH = /^\/api\/v1\/namespaces\/([^/]+)$/;
const POD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/;
const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/;
const REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

const reviewSchema = z.object({
  spec: z.object({
    resourceAttributes: z.object({
      namespace: z.string().optional(),
      verb: z.string(),
      resource: z.string(),
      subresource: z.string().optional(),
    }),
  }),
});

export const UNAUTHORIZED: Reply = { code: 401, body: statusBody(401, 'Unauthorized', 'Unauthorized') };

function notFound(name: string): Reply {
  return { code: 404, body: statusBody(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }) };
}

function badRequest(message: string): Reply {
  return { code: 400, body: statusBody(400, 'BadRequest', message) };
}

function deny(user: EmulatedUser, verb: string, resource: string, namespace: string, name?: string) {
  if (user.allow.includes(`${verb} ${resource}`)) return undefined;
  const message = forbiddenMessage(user.name, verb, resource, namespace, name);
  const kind = resource.split('/')[0];
  return { code: 403, body: statusBody(403, 'Forbidden', message, { ...(name ? { name } : {}), kind }) };
}

export function isReview(method: string, url: URL): boolean {
  return method === 'POST' && url.pathname === REVIEW_PATH;
}

/** Discovery, pods list and get; exec without an upgrade is refused as the API server does. */
export function readReply(namespaces: Namespaces, user: EmulatedUser, method: string, url: URL): Reply {
  const document = method === 'GET' ? discovery(url.pathname, url.host) : undefined;
  if (document) return { code: 200, body: document };
  if (EXEC_PATH.test(url.pathname)) return badRequest('Upgrade request required');
  const namespaceRoute = method === 'GET' ? NAMESPACE_PATH.exec(url.pathname) : null;
  if (namespaceRoute) return namespaceReply(namespaces, user, decodeURIComponent(namespaceRoute[1] ?? ''));
  const route = POD_PATH.exec(url.pathname);
  if (method !== 'GET' || !route) {
    return {
      code: 404,
      body: statusBody(404, 'NotFound', 'the server could not find the requested resource'),
    };
  }
  const namespace = decodeURIComponent(route[1] ?? '');
  const pods = namespaces.get(namespace) ?? new Map<string, EmulatedPod>();
  if (route[2] !== undefined) {
    const name = decodeURIComponent(route[2]);
    const pod = pods.get(name);
    return (
      deny(user, 'get', 'pods', namespace, name) ??
      (pod ? { code: 200, body: podObject(namespace, pod) } : notFound(name))
    );
  }
  const refusal = deny(user, 'list', 'pods', namespace);
  if (refusal) return refusal;
  const matches = parseLabelSelector(url.searchParams.get('labelSelector') ?? '');
  if (!matches) return badRequest('unable to parse requirement: invalid label selector');
  const items = [...pods.values()]
    .filter((pod) => matches(pod.labels))
    .map((pod) => podObject(namespace, pod));
  return {
    code: 200,
    body: { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items },
  };
}

/** kubectl reads the namespace after a 404, to say which of the two is missing. */
function namespaceReply(namespaces: Namespaces, user: EmulatedUser, name: string): Reply {
  const refusal = deny(user, 'get', 'namespaces', name, name);
  if (refusal) return refusal;
  if (!namespaces.has(name)) {
    return {
      code: 404,
      body: statusBody(404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' }),
    };
  }
  return {
    code: 200,
    body: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    },
  };
}

/** Every authenticated identity may ask what it may do; the answer follows its rules. */
export function reviewReply(user: EmulatedUser, text: string): Reply {
  let review: z.infer<typeof reviewSchema>;
  try {
    review = reviewSchema.parse(JSON.parse(text));
  } catch {
    return badRequest('the request body is not a SelfSubjectAccessReview');
  }
  const { verb, resource, subresource } = review.spec.resourceAttributes;
  const allowed = user.allow.includes(`${verb} ${subresource ? `${resource}/${subresource}` : resource}`);
  return {
    code: 201,
    body: {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: review.spec,
      status: allowed ? { allowed, reason: 'RBAC: allowed by RoleBinding "retirement-bot"' } : { allowed },
    },
  };
}

function truthy(value: string | null): boolean {
  return value === 'true' || value === '1';
}

/**
 * An exec upgrade: refused with the API server's Status, or what to run. The strictest servers'
 * authorisation is applied: both `create` and `get` on pods/exec.
 */
export function execRoute(
  namespaces: Namespaces,
  user: EmulatedUser,
  url: URL,
  offered: readonly string[],
  accepted: readonly string[],
): Reply | ExecRequest {
  const route = EXEC_PATH.exec(url.pathname);
  if (!route) return badRequest('only exec is served over websockets here');
  const namespace = decodeURIComponent(route[1] ?? '');
  const name = decodeURIComponent(route[2] ?? '');
  const refusal =
    deny(user, 'create', 'pods/exec', namespace, name) ?? deny(user, 'get', 'pods/exec', namespace, name);
  if (refusal) return refusal;
  const pod = namespaces.get(namespace)?.get(name);
  if (!pod) return notFound(name);
  const query = url.searchParams;
  const phase = pod.phase ?? 'Running';
  if (phase === 'Succeeded' || phase === 'Failed') {
    return badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  if (phase === 'Pending') return badRequest(`pod ${pod.name} does not have a host assigned`);
  if (query.getAll('command').length === 0) return badRequest('you must specify at least 1 command');
  if (!query.get('container') && pod.containers.length > 1) {
    const names = pod.containers.map((c) => c.name).join(' ');
    return badRequest(`a container name must be specified for pod ${pod.name}, choose one of: [${names}]`);
  }
  const containerName = query.get('container') ?? pod.containers[0]?.name;
  const container = pod.containers.find((c) => c.name === containerName);
  if (!container) return badRequest(`container ${containerName} is not valid for pod ${name}`);
  if (!accepted.some((p) => offered.includes(p))) {
    return badRequest(
      `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${accepted.join(' ')}]`,
    );
  }
  return {
    argv: query.getAll('command'),
    container,
    stdin: truthy(query.get('stdin')),
    stdout: truthy(query.get('stdout')),
    stderr: truthy(query.get('stderr')),
    ...(pod.execFault ? { fault: pod.execFault } : {}),
  };
}
