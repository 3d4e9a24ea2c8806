import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { CONFIG, type GoStruct, IN_PARALLEL, type Kind, STEP_TYPES } from './atc-structs.js';
import { formatGoDuration, parseGoDuration } from './go-duration.js';

/**
 * A pipeline config as the ATC keeps it. PUT …/config decodes the body into atc.Config
 * (atc/api/configserver/save.go), the ATC stores each resource and job as its Go struct
 * marshalled to JSON, and GET …/config marshals them again (atc/db/pipeline.go Config), with
 * resources ordered by name. So durations, zero values and key order come back the Go way:
 * `check_every: 60s` as `1m0s`, a task image with `"name": ""`, `trigger: false` gone.
 */
export type SaveRequest =
  | { config: Record<string, unknown>; sent: number }
  | { status: number; payload: string | { errors: string[] } };

interface Problems {
  /** Decoding stops at the first; save.go answers `malformed config: …`. */
  malformed: string[];
  /** What configvalidate refuses; it reports them all. */
  invalid: string[];
}

const NAME = /^[a-z0-9][a-z0-9\-_.]*$/;
const SCALARS: Partial<Record<Kind & string, (value: unknown) => boolean>> = {
  string: (value) => typeof value === 'string',
  bool: (value) => typeof value === 'boolean',
  int: (value) => Number.isInteger(value),
  map: (value) => typeof value === 'object',
};

/** The body and headers of PUT …/config: the config as it will be stored, and the version sent. */
export function decodeSaveRequest(req: IncomingMessage, pipeline: string, body: string): SaveRequest {
  const refuse = (...errors: string[]) => ({ status: 400, payload: { errors } });
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
  if (type !== 'application/json' && type !== 'application/x-yaml') return { status: 415, payload: '' };
  if (!NAME.test(pipeline)) return refuse(`invalid pipeline name '${pipeline}'`);
  let raw: unknown;
  try {
    raw = type === 'application/json' ? JSON.parse(body) : parseYaml(body);
  } catch {
    return refuse('malformed config');
  }
  const problems: Problems = { malformed: [], invalid: [] };
  const config = marshalStruct(CONFIG, raw, problems, 'config');
  if (problems.malformed.length > 0) return refuse(`malformed config: ${problems.malformed[0]}`);
  const errors = [...problems.invalid, ...validate(config)];
  if (errors.length > 0) return refuse(...errors);
  const header = String(req.headers['x-concourse-config-version'] ?? '');
  if (header !== '' && !/^\d+$/.test(header)) return refuse('malformed config version');
  if (Array.isArray(config.resources)) {
    config.resources = [...(config.resources as { name: string }[])].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }
  return { config, sent: header === '' ? 0 : Number(header) };
}

/**
 * A job keeps the id it was created with and GET lists jobs by id (atc/db/pipeline.go Jobs), so
 * reordering jobs in a saved config does not reorder them in what comes back.
 */
export function keepJobOrder(
  config: Record<string, unknown>,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  const before = ((stored.jobs ?? []) as { name: string }[]).map((job) => job.name);
  const jobs = (config.jobs ?? []) as { name: string }[];
  const rank = (job: { name: string }) => {
    const index = before.indexOf(job.name);
    return index === -1 ? before.length + jobs.indexOf(job) : index;
  };
  return config.jobs ? { ...config, jobs: [...jobs].sort((a, b) => rank(a) - rank(b)) } : config;
}

function marshalStruct(
  spec: GoStruct,
  raw: unknown,
  problems: Problems,
  where: string,
): Record<string, unknown> {
  if (raw !== undefined && raw !== null && !isObject(raw)) {
    problems.malformed.push(`json: cannot unmarshal ${typeof raw} into the struct at ${where}`);
  }
  const input = isObject(raw) ? raw : {};
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const [declared, kind] of Object.entries(spec.fields)) {
    const omitempty = declared.endsWith('?');
    const key = omitempty ? declared.slice(0, -1) : declared;
    known.add(key);
    const value = marshalValue(kind, input[key], omitempty, problems, `${where}.${key}`);
    if (!(omitempty && isEmpty(kind, value))) out[key] = value;
  }
  const unknown = Object.keys(input).filter((key) => !known.has(key));
  if (unknown.length > 0 && spec.unknown === 'malformed') {
    problems.malformed.push(`json: unknown field "${unknown[0]}"`);
  }
  if (unknown.length > 0 && spec.unknown === 'invalid') {
    problems.invalid.push(`${where}: unknown fields ${JSON.stringify(unknown)}`);
  }
  return out;
}

function marshalValue(
  kind: Kind,
  raw: unknown,
  pointer: boolean,
  problems: Problems,
  where: string,
): unknown {
  const check = typeof kind === 'string' ? SCALARS[kind] : undefined;
  if (check && raw !== undefined && raw !== null && !check(raw)) {
    problems.malformed.push(`json: cannot unmarshal ${typeof raw} into ${where} of type ${kind}`);
  }
  if (typeof kind === 'object') {
    if ('list' in kind)
      return raw == null
        ? null
        : list(raw, (item, at) => marshalStruct(kind.list, item, problems, `${where}[${at}]`));
    return raw == null && !kind.value ? null : marshalStruct(kind, raw, problems, where);
  }
  switch (kind) {
    case 'string':
      return raw ?? '';
    case 'bool':
      return raw ?? false;
    case 'int':
      return raw ?? 0;
    case 'map':
    case 'any':
      return raw === undefined ? null : goValue(raw);
    case 'env':
      return raw == null ? null : taskEnv(raw);
    case 'duration':
      return raw == null ? null : checkEvery(raw, problems);
    case 'step':
      // Job hooks are *Step, so null leaves them out; a step's own hooks and `try` are Step values.
      return pointer && raw == null ? null : marshalStep(raw, problems, where);
    case 'steps':
      return raw == null ? null : list(raw, (item, at) => marshalStep(item, problems, `${where}[${at}]`));
    case 'parallel':
      return marshalStruct(IN_PARALLEL, Array.isArray(raw) ? { steps: raw } : raw, problems, where);
  }
}

/**
 * atc.Step.UnmarshalJSON: modifiers are peeled off in StepPrecedence order until a core step
 * type is found; what is left is kept as unknown fields, which configvalidate refuses.
 * MarshalJSON merges every layer into one map, so a step's keys come back sorted.
 */
function marshalStep(raw: unknown, problems: Problems, where: string): Record<string, unknown> {
  const remaining: Record<string, unknown> = isObject(raw) ? { ...raw } : {};
  const fields: Record<string, unknown> = {};
  let found = false;
  let core = false;
  for (const type of STEP_TYPES) {
    if (!(type.key in remaining)) continue;
    found = true;
    Object.assign(
      fields,
      marshalStruct({ fields: type.fields, unknown: 'drop' }, remaining, problems, where),
    );
    for (const declared of Object.keys(type.fields)) delete remaining[declared.replace(/\?$/, '')];
    if (!type.wraps) {
      core = true;
      break;
    }
  }
  if (!found) problems.malformed.push('no step configured');
  else if (!core) problems.malformed.push('no core step type declared (e.g. get, put, task, etc.)');
  const unknown = Object.keys(remaining);
  if (found && unknown.length > 0)
    problems.invalid.push(`${where}: unknown fields ${JSON.stringify(unknown)}`);
  return sortedKeys(fields);
}

/** CheckEvery.MarshalJSON: `never`, the interval's Duration.String(), or "" when it is zero. */
function checkEvery(raw: unknown, problems: Problems): unknown {
  if (typeof raw !== 'string') {
    problems.malformed.push('non-string value provided');
    return raw;
  }
  if (raw === '' || raw === 'never') return raw;
  try {
    const interval = parseGoDuration(raw);
    return interval === 0n ? '' : formatGoDuration(interval);
  } catch (error) {
    problems.malformed.push((error as Error).message);
    return raw;
  }
}

function taskEnv(raw: unknown): Record<string, string> {
  const env = isObject(raw) ? raw : {};
  return Object.fromEntries(
    Object.keys(env)
      .sort()
      .map((key) => {
        const value = env[key];
        if (typeof value === 'string') return [key, value];
        if (value === null) return [key, ''];
        return [key, typeof value === 'object' ? JSON.stringify(goValue(value)) : String(value)];
      }),
  );
}

/** encoding/json writes a map[string]any with its keys sorted, at every depth. */
function goValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(goValue);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, goValue(value[key])]),
  );
}

function sortedKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, value[key]]),
  );
}

function isEmpty(kind: Kind, value: unknown): boolean {
  if (value === null) return true;
  if (typeof kind === 'object') return 'list' in kind && (value as unknown[]).length === 0;
  if (kind === 'map' || kind === 'env' || kind === 'steps') {
    return Array.isArray(value) ? value.length === 0 : isObject(value) && Object.keys(value).length === 0;
  }
  return (
    (kind === 'string' || kind === 'bool' || kind === 'int') &&
    (value === '' || value === false || value === 0)
  );
}

function list<T>(raw: unknown, each: (item: unknown, at: number) => T): T[] {
  return Array.isArray(raw) ? raw.map(each) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A few of atc/configvalidate's rules: names, duplicates, and steps naming unknown resources. */
function validate(config: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const resources = (config.resources as { name: string }[] | undefined) ?? [];
  const jobs = (config.jobs as { name: string; plan: Record<string, unknown>[] | null }[] | undefined) ?? [];
  if (jobs.length === 0) errors.push('jobs: pipeline must contain at least one job');
  const names = new Set<string>();
  for (const resource of resources) {
    if (!NAME.test(resource.name)) errors.push(`resources.${resource.name}: invalid name`);
    if (names.has(resource.name)) errors.push(`resources.${resource.name} appears multiple times`);
    names.add(resource.name);
  }
  for (const job of jobs) {
    if (!NAME.test(job.name)) errors.push(`jobs.${job.name}: invalid name`);
    for (const step of job.plan ?? []) {
      for (const kind of ['get', 'put']) {
        const ref = step[kind];
        if (typeof ref === 'string' && !names.has(ref)) {
          errors.push(`jobs.${job.name}.plan.${kind}(${ref}): unknown resource '${ref}'`);
        }
      }
    }
  }
  return errors;
}
