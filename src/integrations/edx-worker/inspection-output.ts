import { z } from 'zod';
import { BotError } from '../../errors.js';
import { meaningfulLines, quotable } from './command-output.js';

/** Prefixes the inspection's one JSON line, so Django's own output around it is ignored. */
export const INSPECT_MARKER = 'RETIREMENT_BOT_INSPECT ';

const inspectionSchema = z.object({
  user: z.object({ exists: z.boolean(), isStaff: z.boolean(), isSuperuser: z.boolean() }),
  application: z.object({ exists: z.boolean(), clientId: z.string().nullable() }),
});

export interface EdxWorkerInspection {
  user: { exists: boolean; isStaff: boolean; isSuperuser: boolean };
  application: { exists: boolean; clientId?: string };
}

/** Reads the inspection snippet's result line; anything else is a typed error quoting the output. */
export function parseInspectionOutput(output: string): EdxWorkerInspection {
  const line = output.split('\n').find((l) => l.startsWith(INSPECT_MARKER));
  if (!line) {
    const first = meaningfulLines(output)[0];
    throw new BotError({
      code: 'edx_unexpected_output',
      userMessage: `The read-only inspection on the edx-worker printed no result${first ? `: "${quotable(first)}"` : ''}.`,
    });
  }
  const parsed = inspectionSchema.safeParse(parseJson(line.slice(INSPECT_MARKER.length)));
  if (!parsed.success) {
    throw new BotError({
      code: 'edx_unexpected_output',
      userMessage: 'The read-only inspection on the edx-worker printed a result the bot does not understand.',
      detail: parsed.error.issues[0]?.path.join('.') || 'not a JSON object',
    });
  }
  const { user, application } = parsed.data;
  return {
    user,
    application: application.clientId
      ? { exists: application.exists, clientId: application.clientId }
      : { exists: application.exists },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
