import type { AuthorizationV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import { type KubeRequest, requestFailure } from './kube-errors.js';

/**
 * What the transport does in the namespace: find the pod (list, get) and exec into it. Exec over
 * websockets starts as a GET, which API servers authorise as `get pods/exec`; from 1.35 the
 * AuthorizePodWebsocketUpgradeCreatePermission gate (beta) also checks `create`, as SPDY's POST
 * always did. A Role must grant both to work on every version.
 */
export const REQUIRED_ACCESS = [
  { verb: 'list', resource: 'pods' },
  { verb: 'get', resource: 'pods' },
  { verb: 'create', resource: 'pods', subresource: 'exec' },
  { verb: 'get', resource: 'pods', subresource: 'exec' },
] as const;

const reviewSchema = z.object({ status: z.object({ allowed: z.boolean() }).optional() });

/** The permissions from REQUIRED_ACCESS the bot's identity lacks in `namespace`, as `"verb resource"`. */
export async function missingAccess(
  api: AuthorizationV1Api,
  namespace: string,
  context: string,
): Promise<string[]> {
  const verdicts = await Promise.all(
    REQUIRED_ACCESS.map(async (access) => {
      const resource = 'subresource' in access ? `${access.resource}/${access.subresource}` : access.resource;
      const request: KubeRequest = {
        verb: 'create',
        resource: 'selfsubjectaccessreviews',
        namespace,
        context,
      };
      try {
        const review = await api.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { namespace, ...access } },
          },
        });
        return reviewSchema.parse(review).status?.allowed ? undefined : `${access.verb} ${resource}`;
      } catch (error) {
        throw requestFailure(error, request);
      }
    }),
  );
  return verdicts.filter((missing) => missing !== undefined);
}
