/**
 * The Go structs a pipeline config is decoded into, as of Concourse v7.11.2 (the version the
 * emulator reports): atc/config.go, atc/job_config.go, atc/steps.go, atc/task.go. Each struct
 * lists its JSON keys in field order, because encoding/json writes fields in that order; a key
 * ending in `?` carries `omitempty`.
 */
export type Kind =
  | 'string'
  | 'bool'
  | 'int'
  /** A Go map or slice (Source, Params, Tags, []string): omitempty drops it when empty. */
  | 'map'
  /** An interface{} or a pointer with its own MarshalJSON: omitempty drops only null. */
  | 'any'
  /** atc.TaskEnv: every value is coerced to a string (CoercedString in atc/task.go). */
  | 'env'
  /** *atc.CheckEvery: parsed with time.ParseDuration, written back with Duration.String(). */
  | 'duration'
  | 'step'
  | 'steps'
  /** atc.InParallelConfig: a list of steps or {steps, limit, fail_fast}; always written as the latter. */
  | 'parallel'
  | GoStruct
  | { list: GoStruct };

export interface GoStruct {
  fields: Record<string, Kind>;
  /**
   * What decoding does with a key the struct lacks: the top-level config goes through a
   * skeleton that drops it (atc.UnmarshalConfig); structs decoded with UnmarshalStrict fail
   * to decode; a task config keeps it for configvalidate to refuse; structs decoded inside a
   * step or task config by plain json.Unmarshal drop it.
   */
  unknown: 'drop' | 'malformed' | 'invalid';
  /** A value (not pointer) field: Go writes it even when absent, as its zero value. */
  value?: boolean;
}

const goStruct = (unknown: GoStruct['unknown'], fields: Record<string, Kind>, value = false): GoStruct => ({
  fields,
  unknown,
  value,
});

const CHECKED_TYPE = {
  name: 'string',
  type: 'string',
  source: 'map',
  'defaults?': 'map',
  'privileged?': 'bool',
  'check_every?': 'duration',
  'tags?': 'map',
  'params?': 'map',
} as const;

const RESOURCE = goStruct('malformed', {
  name: 'string',
  'old_name?': 'string',
  'public?': 'bool',
  'webhook_token?': 'string',
  type: 'string',
  source: 'map',
  'check_every?': 'duration',
  'check_timeout?': 'string',
  'tags?': 'map',
  'version?': 'map',
  'icon?': 'string',
  'expose_build_created_by?': 'bool',
});

const IMAGE_RESOURCE = goStruct('drop', {
  // No omitempty: a task image without a name comes back with `"name": ""`.
  name: 'string',
  type: 'string',
  source: 'map',
  'version?': 'map',
  'params?': 'map',
  'tags?': 'map',
});

const CONTAINER_LIMITS = goStruct('drop', { 'cpu?': 'any', 'memory?': 'any' });

const TASK_CONFIG = goStruct('invalid', {
  'platform?': 'string',
  'rootfs_uri?': 'string',
  'image_resource?': IMAGE_RESOURCE,
  'container_limits?': CONTAINER_LIMITS,
  'params?': 'env',
  // `omitempty` on a struct value is ignored, so `run` is always written (HEAD has `omitzero`).
  'run?': goStruct('drop', { path: 'string', 'args?': 'map', 'dir?': 'string', 'user?': 'string' }, true),
  'inputs?': { list: goStruct('drop', { name: 'string', 'path?': 'string', 'optional?': 'bool' }) },
  'outputs?': { list: goStruct('drop', { name: 'string', 'path?': 'string' }) },
  'caches?': { list: goStruct('drop', { 'path?': 'string' }) },
});

/** atc.StepPrecedence: the keys that pick a step type, in the order Step.UnmarshalJSON tries them. */
export const STEP_TYPES: { key: string; fields: Record<string, Kind>; wraps: boolean }[] = [
  ...['ensure', 'on_error', 'on_abort', 'on_failure', 'on_success'].map((hook) => ({
    key: hook,
    fields: { [hook]: 'step' as const },
    wraps: true,
  })),
  {
    key: 'across',
    fields: {
      across: { list: goStruct('malformed', { var: 'string', 'values?': 'any', 'max_in_flight?': 'any' }) },
      'fail_fast?': 'bool',
    },
    wraps: true,
  },
  { key: 'attempts', fields: { attempts: 'int' }, wraps: true },
  {
    key: 'run',
    fields: {
      run: 'string',
      type: 'string',
      'params?': 'map',
      'privileged?': 'bool',
      'tags?': 'map',
      'container_limits?': CONTAINER_LIMITS,
      'timeout?': 'string',
    },
    wraps: false,
  },
  {
    key: 'task',
    fields: {
      task: 'string',
      'privileged?': 'bool',
      'hermetic?': 'bool',
      'file?': 'string',
      'container_limits?': CONTAINER_LIMITS,
      'config?': TASK_CONFIG,
      'params?': 'env',
      'vars?': 'map',
      'tags?': 'map',
      'input_mapping?': 'map',
      'output_mapping?': 'map',
      'image?': 'string',
      'timeout?': 'string',
    },
    wraps: false,
  },
  {
    key: 'put',
    fields: {
      put: 'string',
      'resource?': 'string',
      'params?': 'map',
      'inputs?': 'any',
      'tags?': 'map',
      'get_params?': 'map',
      'timeout?': 'string',
      'no_get?': 'bool',
    },
    wraps: false,
  },
  {
    key: 'get',
    fields: {
      get: 'string',
      'resource?': 'string',
      'version?': 'any',
      'params?': 'map',
      'passed?': 'map',
      'trigger?': 'bool',
      'tags?': 'map',
      'timeout?': 'string',
    },
    wraps: false,
  },
  { key: 'timeout', fields: { timeout: 'string' }, wraps: true },
  {
    key: 'set_pipeline',
    fields: {
      set_pipeline: 'string',
      'file?': 'string',
      'team?': 'string',
      'vars?': 'map',
      'var_files?': 'map',
      'instance_vars?': 'map',
    },
    wraps: false,
  },
  {
    key: 'load_var',
    fields: { load_var: 'string', 'file?': 'string', 'format?': 'string', 'reveal?': 'bool' },
    wraps: false,
  },
  { key: 'try', fields: { try: 'step' }, wraps: false },
  { key: 'do', fields: { do: 'steps' }, wraps: false },
  { key: 'in_parallel', fields: { in_parallel: 'parallel' }, wraps: false },
];

export const IN_PARALLEL = goStruct(
  'drop',
  { 'steps?': 'steps', 'limit?': 'int', 'fail_fast?': 'bool' },
  true,
);

export const CONFIG = goStruct('drop', {
  'groups?': {
    list: goStruct('malformed', { name: 'string', 'jobs?': 'map', 'resources?': 'map' }),
  },
  'var_sources?': { list: goStruct('malformed', { name: 'string', type: 'string', config: 'any' }) },
  'resources?': { list: RESOURCE },
  'resource_types?': { list: goStruct('malformed', CHECKED_TYPE) },
  'prototypes?': { list: goStruct('malformed', CHECKED_TYPE) },
  'jobs?': {
    list: goStruct('malformed', {
      name: 'string',
      'old_name?': 'string',
      'public?': 'bool',
      'disable_manual_trigger?': 'bool',
      'serial?': 'bool',
      'interruptible?': 'bool',
      'serial_groups?': 'map',
      'max_in_flight?': 'int',
      'build_logs_to_retain?': 'int',
      'build_log_retention?': goStruct('malformed', {
        'builds?': 'int',
        'minimum_succeeded_builds?': 'int',
        'days?': 'int',
      }),
      'on_success?': 'step',
      'on_failure?': 'step',
      'on_abort?': 'step',
      'on_error?': 'step',
      'ensure?': 'step',
      plan: 'steps',
    }),
  },
  'display?': goStruct('malformed', { 'background_image?': 'string' }),
});
