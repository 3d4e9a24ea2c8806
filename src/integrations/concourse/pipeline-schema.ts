import { z } from 'zod';

/**
 * The part of Concourse's pipeline config the tubular pipeline uses, checked the way
 * `fly validate-pipeline` would for these shapes (atc/configvalidate): identifiers, known step
 * kinds, and every get/input naming something that exists.
 */
export const IDENTIFIER = /^[a-z0-9][a-z0-9\-_.]*$/;
const identifier = z
  .string()
  .regex(IDENTIFIER, 'must start with a lowercase letter or digit and use only a-z 0-9 - _ .');
const varName = z.string().regex(/^[a-z0-9][a-z0-9_]*$/, 'must be a valid var name');

const imageResource = z.strictObject({ type: z.string().min(1), source: z.record(z.string(), z.unknown()) });
const taskConfig = z.strictObject({
  platform: z.enum(['linux', 'darwin', 'windows']),
  image_resource: imageResource,
  inputs: z.array(z.strictObject({ name: identifier })).optional(),
  outputs: z.array(z.strictObject({ name: identifier })).optional(),
  params: z.record(z.string(), z.string()).optional(),
  run: z.strictObject({ path: z.string().min(1), args: z.array(z.string()).optional() }),
});

const getStep = z.strictObject({ get: identifier, trigger: z.boolean().optional() });
const taskStep = z.strictObject({
  task: identifier,
  config: taskConfig,
  across: z
    .array(z.strictObject({ var: varName, values: z.union([z.string(), z.array(z.unknown())]) }))
    .optional(),
});
const loadVarStep = z.strictObject({
  load_var: varName,
  file: z.string().min(1),
  reveal: z.boolean().optional(),
});
export const stepSchema = z.union([getStep, taskStep, loadVarStep]);

const resource = z.strictObject({
  name: identifier,
  type: identifier,
  icon: z.string().optional(),
  check_every: z
    .string()
    .regex(/^(never|\d+(ms|s|m|h))$/)
    .optional(),
  source: z.record(z.string(), z.unknown()),
});

const job = z.strictObject({
  name: identifier,
  max_in_flight: z.number().int().min(1).optional(),
  plan: z.array(stepSchema).min(1),
});

export const pipelineSchema = z
  .strictObject({ jobs: z.array(job).min(1), resources: z.array(resource) })
  .superRefine((pipeline, ctx) => {
    const resources = new Set(pipeline.resources.map((r) => r.name));
    const duplicate = (names: string[]) => names.find((name, index) => names.indexOf(name) !== index);
    const dupResource = duplicate(pipeline.resources.map((r) => r.name));
    if (dupResource) ctx.addIssue({ code: 'custom', message: `resource ${dupResource} is defined twice` });
    const dupJob = duplicate(pipeline.jobs.map((j) => j.name));
    if (dupJob) ctx.addIssue({ code: 'custom', message: `job ${dupJob} is defined twice` });
    for (const j of pipeline.jobs) {
      for (const step of j.plan) {
        if ('get' in step && !resources.has(step.get)) {
          ctx.addIssue({ code: 'custom', message: `job ${j.name} gets unknown resource ${step.get}` });
        }
      }
    }
  });

export type ConcoursePipeline = z.infer<typeof pipelineSchema>;
export type PipelineStep = z.infer<typeof stepSchema>;
