import { z } from 'zod';
import { BotError } from '../../errors.js';

/*
 * The ATC's JSON answers, limited to the fields the bot reads. `z.object` drops the other fields
 * instead of rejecting them, so fields a newer ATC adds do not break parsing.
 */

const buildStatusSchema = z.enum(['pending', 'started', 'succeeded', 'failed', 'errored', 'aborted']);

/** atc/build.go */
export const buildSchema = z.object({
  id: z.number(),
  name: z.string(),
  status: buildStatusSchema,
  team_name: z.string(),
  job_name: z.string().optional(),
  pipeline_name: z.string().optional(),
  start_time: z.number().optional(),
  end_time: z.number().optional(),
});
export type BuildJson = z.infer<typeof buildSchema>;

export const buildListSchema = z.array(buildSchema);

/** atc/pipeline.go */
export const pipelineSchema = z.object({
  name: z.string(),
  paused: z.boolean(),
  archived: z.boolean().optional(),
  team_name: z.string(),
});
export type PipelineJson = z.infer<typeof pipelineSchema>;

/** GET /api/v1/user */
export const userSchema = z.object({
  is_admin: z.boolean().optional(),
  teams: z.record(z.string(), z.array(z.string())).optional(),
});

/** GET …/config; the config itself stays whole, since it is diffed against the generated one. */
export const pipelineConfigAnswerSchema = z.object({ config: z.record(z.string(), z.unknown()) });

/** The answer to a successful PUT …/config (atc.SaveConfigResponse). */
export const savedConfigSchema = z.object({
  warnings: z.array(z.object({ message: z.string() })).optional(),
});

/** The answer to a PUT …/config the ATC rejects with 400. */
export const rejectedConfigSchema = z.object({ errors: z.array(z.string()).min(1) });

/** POST /sky/issuer/token; a missing token gets its own login error, so it is optional here. */
export const tokenSchema = z.object({
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
});

/**
 * Parses an ATC answer, or throws `concourse_unexpected_answer`. The detail names only where
 * the body differs from the schema, never a value from it: answers may carry tokens or config.
 */
export function parseAnswer<T>(schema: z.ZodType<T>, text: string, source: { url: string; what: string }): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unexpectedAnswer(source, 'the body is not JSON');
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') || '(root)';
  throw unexpectedAnswer(source, `${path}: ${issue?.message ?? 'does not match'}`);
}

function unexpectedAnswer(source: { url: string; what: string }, detail: string): BotError {
  return new BotError({
    code: 'concourse_unexpected_answer',
    userMessage: `Concourse at ${source.url} answered ${source.what} with something the bot does not understand.`,
    detail,
  });
}
