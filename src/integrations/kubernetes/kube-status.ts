import { z } from 'zod';

/** A metav1.Status: the body of a refused request, and what exec's channel 3 carries (v4 and v5). */
const statusSchema = z.object({
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  details: z
    .object({
      name: z.string().optional(),
      kind: z.string().optional(),
      causes: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() })).optional(),
    })
    .optional(),
});

export type KubeStatus = z.infer<typeof statusSchema>;

/** A Status from JSON text or an already decoded body; undefined when it is not one. */
export function parseStatus(body: unknown): KubeStatus | undefined {
  let value = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString());
    } catch {
      return undefined;
    }
  }
  const result = statusSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** How an exec ended: the process's exit code, or a failure of the exec machinery itself. */
export type ExecOutcome = { exitCode: number } | { failure: string };

/**
 * `Success` is exit 0; `NonZeroExitCode` carries the code as the message of an `ExitCode` cause.
 * Anything else (InternalError when the kubelet cannot start or reach the process, an unreadable
 * frame) says nothing about the command, so it must not be mistaken for an exit code.
 */
export function execOutcome(frame: Buffer): ExecOutcome {
  const status = parseStatus(frame);
  if (!status) return { failure: 'the status channel carried no Status' };
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (cause?.message && Number.isInteger(code) && code > 0 && code < 256) return { exitCode: code };
  }
  return { failure: `${status.reason ?? 'no reason'}: ${status.message ?? 'no message'}` };
}
