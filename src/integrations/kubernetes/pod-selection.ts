import { z } from 'zod';

/** Only the fields the choice reads; the rest of a pod may be anything. */
const podSchema = z.object({
  metadata: z.object({
    name: z.string(),
    creationTimestamp: z.coerce.date().optional(),
    deletionTimestamp: z.unknown().optional(),
    ownerReferences: z.array(z.object({ kind: z.string() })).optional(),
  }),
  spec: z.object({ containers: z.array(z.object({ name: z.string() })) }).optional(),
  status: z
    .object({
      phase: z.string().optional(),
      conditions: z.array(z.object({ type: z.string(), status: z.string() })).optional(),
    })
    .optional(),
});

type Pod = z.infer<typeof podSchema>;

export type PodChoice = { name: string } | { passedOver: string[] };

/** Why a pod cannot take the exec, or undefined when it can. */
function unfit(pod: Pod, container: string): string | undefined {
  const { metadata, spec, status } = pod;
  if (metadata.deletionTimestamp) return 'terminating';
  const phase = status?.phase ?? 'Unknown';
  if (phase !== 'Running') return phase === 'Succeeded' ? 'Completed' : phase;
  // The pre-deploy migration Job's pods carry the Deployment's labels; a running one is not the LMS.
  if (metadata.ownerReferences?.some((o) => o.kind === 'Job')) return 'a Job pod';
  if (!status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return 'not Ready';
  if (!spec?.containers.some((c) => c.name === container)) return `no container ${container}`;
  return undefined;
}

/**
 * The pod to exec into: Running, Ready, not being deleted, not a Job's, with the container. The
 * newest wins, so during a rollout commands reach the new version; the name breaks ties so the
 * choice is the same on every call. When none fits, says why each was passed over.
 */
export function choosePod(pods: readonly unknown[], container: string): PodChoice {
  const fit: { name: string; created: number }[] = [];
  const passedOver: string[] = [];
  for (const raw of pods) {
    const parsed = podSchema.safeParse(raw);
    if (!parsed.success) {
      passedOver.push('a pod the API described unreadably');
      continue;
    }
    const reason = unfit(parsed.data, container);
    const { name, creationTimestamp } = parsed.data.metadata;
    if (reason) passedOver.push(`${name} (${reason})`);
    else fit.push({ name, created: creationTimestamp?.getTime() ?? 0 });
  }
  fit.sort((a, b) => b.created - a.created || a.name.localeCompare(b.name));
  const chosen = fit[0];
  return chosen ? { name: chosen.name } : { passedOver };
}
