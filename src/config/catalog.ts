import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import {
  CATALOG_TOP_LEVEL_KEYS,
  type CatalogLayer,
  type CredentialsRecord,
  catalogFileSchema,
  type Target,
  targetSchema,
} from './catalog-schema.js';
import { ConfigError } from './config-error.js';

export type { CredentialsRecord, SopsRecord, Target } from './catalog-schema.js';

/** The validated catalog: every configured (app, env) pair, resolved. */
export class Catalog {
  private readonly targets: ReadonlyMap<string, Target>;

  /**
   * @param warnings what the catalog says that the bot ignores (the block of the transport a pair
   *   does not use), for the log at start-up.
   */
  constructor(
    targets: readonly Target[],
    readonly warnings: readonly string[] = [],
  ) {
    this.targets = new Map(targets.map((target) => [keyOf(target.app, target.env), target]));
  }

  get(app: string, env: string): Target | undefined {
    return this.targets.get(keyOf(app, env));
  }

  apps(): string[] {
    return [...new Set(this.all().map((t) => t.app))];
  }

  environments(app?: string): string[] {
    return [
      ...new Set(
        this.all()
          .filter((t) => app === undefined || t.app === app)
          .map((t) => t.env),
      ),
    ];
  }

  all(): Target[] {
    return [...this.targets.values()];
  }

  /**
   * Resolves a pair as a person typed it (any case), or says which part is unknown and what is
   * valid. `quote` shows the person's input back the way their surface needs it escaped.
   */
  resolve(
    app: string,
    env: string,
    quote: (input: string) => string = plainQuote,
  ): Target | { message: string } {
    const appName = app.toLowerCase();
    if (!this.apps().includes(appName)) {
      return { message: `Unknown app ${quote(app)}. Valid apps: ${this.apps().join(', ')}.` };
    }
    const target = this.get(appName, env.toLowerCase());
    if (target) return target;
    return {
      message: `Unknown environment ${quote(env)} for ${appName}. Valid environments: ${this.environments(appName).join(', ')}.`,
    };
  }
}

function plainQuote(input: string): string {
  return JSON.stringify(input);
}

function keyOf(app: string, env: string): string {
  return `${app}/${env}`;
}

export function loadCatalogFile(path: string): Catalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`]);
  }
  return parseCatalog(text, path);
}

export function parseCatalog(text: string, source = 'catalog'): Catalog {
  let raw: unknown;
  try {
    raw = parseYaml(text, { merge: true });
  } catch (error) {
    throw new ConfigError([`${source}: not valid YAML: ${(error as Error).message}`]);
  }
  const problems = [
    ...unknownTopLevelKeys(raw).map((key) => `${source}: ${key}: unknown key (use an x- prefix for anchors)`),
    ...invalidNames(raw).map((path) => `${source}: ${path}: ${NAME_RULE}`),
  ];
  const file = catalogFileSchema.safeParse(raw);
  if (!file.success) throw new ConfigError([...problems, ...describeIssues(source, file.error.issues)]);

  const targets: Target[] = [];
  const warnings: string[] = [];
  for (const [app, appLayer] of Object.entries(file.data.apps)) {
    const { environments, ...appSettings } = appLayer;
    if (Object.keys(environments).length === 0)
      problems.push(`${source}: apps.${app}.environments: has no environments`);
    for (const [env, envLayer] of Object.entries(environments)) {
      const merged = mergeLayers(file.data.defaults ?? {}, appSettings, envLayer);
      const resolved = resolveTarget(app, env, merged);
      if (resolved.ignored) {
        warnings.push(
          `${source}: apps.${app}.environments.${env}: the ${resolved.ignored} block is ignored (transport ${resolved.target.transport})`,
        );
      }
      const result = targetSchema.safeParse(resolved.target);
      if (result.success) targets.push(result.data);
      else problems.push(...describeIssues(source, result.error.issues, ['apps', app, 'environments', env]));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new Catalog(targets, warnings);
}

const NAME_RULE = 'is not a valid name (lowercase letters, digits and dashes)';

/**
 * App and environment names the schema cannot see: a `__proto__` key vanishes when copied into a
 * plain object, so it would silently drop a pair instead of being reported. The schema reports
 * every other invalid name.
 */
function invalidNames(raw: unknown): string[] {
  const apps = isPlainObject(raw) ? raw.apps : undefined;
  if (!isPlainObject(apps)) return [];
  return Object.keys(apps).flatMap((app) => {
    const layer = apps[app];
    const environments = isPlainObject(layer) ? layer.environments : undefined;
    const envProblems = isPlainObject(environments)
      ? Object.keys(environments)
          .filter((env) => env === '__proto__')
          .map((env) => `apps.${app}.environments.${env}`)
      : [];
    return [...(app === '__proto__' ? [`apps.${app}`] : []), ...envProblems];
  });
}

function unknownTopLevelKeys(raw: unknown): string[] {
  if (!isPlainObject(raw)) return [];
  return Object.keys(raw).filter((key) => !CATALOG_TOP_LEVEL_KEYS.includes(key) && !key.startsWith('x-'));
}

function mergeLayers(...layers: CatalogLayer[]): CatalogLayer {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const previous = merged[key];
      merged[key] = isPlainObject(previous) && isPlainObject(value) ? { ...previous, ...value } : value;
    }
  }
  return merged as CatalogLayer;
}

/** The merged layers as a target, without the block of the transport the pair does not use. */
function resolveTarget(
  app: string,
  env: string,
  layer: CatalogLayer,
): { target: CatalogLayer & { transport: Target['transport'] }; ignored?: 'edxWorker' | 'kubernetes' } {
  const { edxWorker, kubernetes, transport = 'ssh', ...rest } = layer;
  const vault = layer.vault;
  const team = layer.concourse?.team;
  const path =
    vault?.path && team
      ? vault.path.replaceAll('{team}', team).replaceAll('{app}', app).replaceAll('{env}', env)
      : vault?.path;
  const credentials = layer.credentials && {
    ...layer.credentials,
    record: resolveRecord(layer.credentials.record, { app, env, team }),
  };
  const common = { app, env, ...rest, vault: { ...vault, path }, ...(credentials ? { credentials } : {}) };
  if (transport === 'ssh') {
    return { target: { ...common, transport, edxWorker }, ...(kubernetes ? { ignored: 'kubernetes' } : {}) };
  }
  const namespace = kubernetes?.namespace?.replaceAll('{app}', app);
  return {
    target: { ...common, transport, kubernetes: { ...kubernetes, namespace } },
    ...(edxWorker ? { ignored: 'edxWorker' } : {}),
  };
}

/** The sops record's file and key with `{env}`, `{team}` and `{app}` replaced. */
function resolveRecord(
  record: CredentialsRecord | undefined,
  names: { app: string; env: string; team: string | undefined },
): CredentialsRecord | undefined {
  if (record === undefined || record === 'vault') return record;
  const fill = (text: string) =>
    text
      .replaceAll('{app}', names.app)
      .replaceAll('{env}', names.env)
      .replaceAll('{team}', names.team ?? '{team}');
  return { ...record, sops: { ...record.sops, file: fill(record.sops.file), key: fill(record.sops.key) } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeIssues(source: string, issues: readonly z.core.$ZodIssue[], base: string[] = []): string[] {
  return issues.map((issue) => {
    const path = [...base, ...issue.path.map(String)].join('.');
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    return `${source}: ${path || '(top level)'}: ${missing ? 'is required' : issue.message}`;
  });
}

export function workerEmail(target: Target): string {
  return `${target.workerUsername}@${target.workerEmailDomain}`;
}

/** Seconds one management command may run on the pair's LMS, whichever transport carries it. */
export function commandTimeoutSeconds(target: Target): number {
  return target.transport === 'ssh'
    ? target.edxWorker.commandTimeoutSeconds
    : target.kubernetes.commandTimeoutSeconds;
}

/** Where the pair's LMS commands run, as `plan` and `status` show it. */
export function describeTransport(target: Target): string {
  if (target.transport === 'ssh') {
    const { user, host, port } = target.edxWorker;
    return `SSH to edx-worker ${user}@${host}:${port}`;
  }
  const { context, namespace, selector, container } = target.kubernetes;
  const where = context ? `context ${context}` : 'the current context';
  return `Kubernetes exec in container ${container} of a pod matching ${selector} in namespace ${namespace} (${where})`;
}

/** The same in a few words, for one line per pair: `ssh ubuntu@host:22`, `kubernetes applications-qa/mitxonline-openedx`. */
export function transportTarget(target: Target): string {
  if (target.transport === 'ssh') {
    const { user, host, port } = target.edxWorker;
    return `ssh ${user}@${host}:${port}`;
  }
  const { context, namespace } = target.kubernetes;
  return `kubernetes ${context ?? '(current context)'}/${namespace}`;
}
