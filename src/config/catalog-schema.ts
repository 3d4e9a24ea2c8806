import { z } from 'zod';

/** App and environment names end up in Redis keys, job ids and Slack text: keep them boring. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
const name = z.string().regex(NAME_PATTERN, 'must be lowercase letters, digits and dashes');

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id such as U012ABCDEF');
const slackUsergroupId = z
  .string()
  .regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id such as S012ABCDEF');

/**
 * Credentials and tokens travel to these addresses, so they must be https; plain http is only for
 * this machine's own loopback services (the sandbox and the tests' emulators).
 */
const httpsUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL with a scheme' })
  .refine((url) => isHttpsOrLoopback(url), 'must use https (plain http only for loopback addresses)')
  .transform((url) => url.replace(/\/+$/, ''));

export function isHttpsOrLoopback(url: string): boolean {
  // A value that is no URL at all is reported by the URL check itself.
  if (!URL.canParse(url)) return true;
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:') return true;
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

const djangoIdentifier = z.string().regex(/^[A-Za-z0-9_.@+-]{1,150}$/, 'must be a valid Django username');

/** Mirrors populate_retirement_states' own validation (domain.md B.1) so a bad list fails at start-up. */
export const retirementStatesSchema = z
  .array(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an UPPER_SNAKE_CASE state name'))
  .min(4)
  .superRefine((states, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (states[0] !== 'PENDING') problem('PENDING must be the first state');
    if (states.slice(-3).join(',') !== 'ERRORED,ABORTED,COMPLETE') {
      problem("the last 3 states must be these (in this order): ['ERRORED', 'ABORTED', 'COMPLETE']");
    }
    if (new Set(states).size !== states.length) problem('states must be unique');
    for (const state of states.filter((s) => s.startsWith('RETIRING_'))) {
      const done = `${state.slice('RETIRING_'.length)}_COMPLETE`;
      if (!states.includes(done)) problem(`${state} needs a matching ${done} state`);
    }
  });

const edxWorkerFields = {
  host: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'must be a host name or IP address'),
  user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a POSIX user name'),
  /** The account that owns edx-platform; the runbook becomes it with `sudo su - edxapp`. */
  appUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a POSIX user name'),
  port: z.number().int().min(1).max(65535),
  commandTimeoutSeconds: z.number().int().min(5).max(3600),
};

/** A Kubernetes name: namespaces and containers (RFC 1123 label). */
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const TRANSPORTS = ['ssh', 'kubernetes'] as const;

/** The image's working directory is /openedx/edx-platform, so manage.py needs no path. */
export const DEFAULT_MANAGE_COMMAND = ['python', 'manage.py', 'lms'];
const DEFAULT_COMMAND_TIMEOUT_SECONDS = 600;

const kubernetesFields = {
  /** A context of the kubeconfig (EKS names some by ARN); absent: the current one, or in-cluster. */
  context: z.string().regex(/^[A-Za-z0-9._:@/-]{1,253}$/, 'must be a kubeconfig context name'),
  /** `{app}` is replaced, e.g. `{app}-openedx`. */
  namespace: z.string().regex(/^[a-z0-9{}-]{1,63}$/, 'must be a namespace name (may use {app})'),
  selector: z.string().regex(/^[A-Za-z0-9._/=!,() -]{1,500}$/, 'must be a label selector'),
  container: z.string().regex(dnsLabel, 'must be a container name'),
  command: z.array(z.string().min(1)).min(1),
  commandTimeoutSeconds: edxWorkerFields.commandTimeoutSeconds,
};

const vaultFields = {
  /** Overrides VAULT_ADDR for this environment (MIT runs one Vault per environment). */
  address: httpsUrl,
  mount: z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'must be a Vault mount path'),
  kvVersion: z.union([z.literal(1), z.literal(2)], { error: 'must be 1 or 2' }),
  /** `{team}`, `{app}` and `{env}` are replaced; the result is the secret's path inside the mount. */
  path: z
    .string()
    .regex(/^[A-Za-z0-9_{}/-]+$/, 'must be a Vault path (letters, digits, _ - / and {team} {app} {env})'),
};

const concourseFields = {
  url: httpsUrl,
  team: name,
  pipeline: z.string().regex(/^[a-z0-9][a-z0-9\-_.]*$/, 'must be a Concourse pipeline name'),
  job: z.string().regex(/^[a-z0-9][a-z0-9\-_.]*$/, 'must be a Concourse job name'),
};

/** `{env}`, `{team}` and `{app}` are replaced when the pair is resolved. */
const placeholderPath = z
  .string()
  .regex(/^[A-Za-z0-9_.{}/-]+$/, 'must be a path (letters, digits, _ . - / and {team} {app} {env})')
  .refine((path) => !path.split('/').includes('..'), 'must not contain ..');

/**
 * Where the credentials are recorded: `vault` (the bot writes Vault itself) or a pull request on
 * a sops file whose merge makes Pulumi write Vault (product.md, "Secrets of record, precisely").
 */
const credentialsRecordSchema = z.union([
  z.literal('vault'),
  z.strictObject({
    sops: z.strictObject({
      repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be a GitHub owner/name'),
      base: z.string().regex(/^[A-Za-z0-9_./-]{1,200}$/, 'must be a branch name'),
      file: placeholderPath,
      /** Under the file's top-level `pipelines:`, e.g. `{team}/tubular_oauth_client`. */
      key: placeholderPath,
    }),
    /** Only where Pulumi does not deploy on its own: the Concourse job that does (production). */
    afterMerge: z.strictObject({ concourse: z.strictObject(concourseFields) }).optional(),
  }),
]);
export type CredentialsRecord = z.infer<typeof credentialsRecordSchema>;
export type SopsRecord = Exclude<CredentialsRecord, 'vault'>;

/** Slack users and user groups; groups are looked up at each click. */
const peopleSchema = z.strictObject({
  users: z.array(slackUserId),
  usergroups: z.array(slackUsergroupId),
});

const approvalFields = {
  required: z.boolean(),
  allowSelfApproval: z.boolean(),
  ttlMinutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 14),
  approvers: peopleSchema,
};

const slackChannelId = z
  .string()
  .regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id such as C012ABCDEF (not a #name)');

/** A drift-check interval such as 30m, 1h or 1d (whole minutes, hours, days or weeks). */
export const WATCH_INTERVAL_PATTERN = /^([1-9][0-9]{0,4})(m|h|d|w)$/;
const watchInterval = z
  .string()
  .regex(WATCH_INTERVAL_PATTERN, 'must be a duration such as 30m, 1h, 1d or 1w')
  .refine((every) => watchIntervalMs(every) >= MIN_WATCH_INTERVAL_MS, 'must be at least 5m')
  .refine((every) => watchIntervalMs(every) <= MAX_WATCH_INTERVAL_MS, 'must be at most 4w');

const MIN_WATCH_INTERVAL_MS = 5 * 60_000;
const MAX_WATCH_INTERVAL_MS = 28 * 86_400_000;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** Milliseconds of an interval the schema accepted (`30m` → 1 800 000). */
export function watchIntervalMs(every: string): number {
  const match = WATCH_INTERVAL_PATTERN.exec(every);
  if (!match) return Number.NaN;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** `false` turns the scheduled drift check off for the pair (`/retirement check` still works). */
const watchSchema = z.union([z.literal(false), z.strictObject({ every: watchInterval })], {
  error: 'must be false or { every: <duration> }',
});
export const DEFAULT_WATCH = { every: '1d' } as const;

/** Every level of the catalog may set any of these; an environment's values win. */
const layerFields = {
  lmsUrl: httpsUrl,
  workerUsername: djangoIdentifier,
  workerEmailDomain: z.string().regex(/^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'must be an email domain'),
  dotApplicationName: djangoIdentifier,
  retirementStates: retirementStatesSchema,
  /** How the LMS's management commands run: SSH to an edx-worker, or exec in an LMS pod. */
  transport: z.enum(TRANSPORTS),
  edxWorker: z.strictObject(edxWorkerFields).partial(),
  kubernetes: z.strictObject(kubernetesFields).partial(),
  vault: z.strictObject(vaultFields).partial(),
  concourse: z.strictObject(concourseFields).partial(),
  approval: z.strictObject(approvalFields).partial(),
  /** Who besides the requester and the approvers may cancel and retry runs. */
  operators: peopleSchema.partial(),
  /** Where changes of the pair's health are posted; without it health is only recorded and shown. */
  alerts: z.strictObject({ channel: slackChannelId }).partial(),
  watch: watchSchema,
  credentials: z.strictObject({ record: credentialsRecordSchema }).partial(),
};

export const layerSchema = z.strictObject(layerFields).partial();
export type CatalogLayer = z.infer<typeof layerSchema>;

export const catalogFileSchema = z
  .object({
    defaults: layerSchema.optional(),
    apps: z.record(
      name,
      layerSchema.extend({ environments: z.record(name, layerSchema) }),
      'must map app names to their settings',
    ),
  })
  // YAML anchors live under `x-` keys (as in docker-compose); catalog.ts flags any other unknown key.
  .catchall(z.unknown());

export const CATALOG_TOP_LEVEL_KEYS = ['defaults', 'apps'];

/** What one (app, env) pair resolves to once the layers are merged: everything a run needs. */
const commonTargetFields = {
  app: name,
  env: name,
  lmsUrl: httpsUrl,
  workerUsername: djangoIdentifier,
  workerEmailDomain: layerFields.workerEmailDomain,
  dotApplicationName: djangoIdentifier,
  retirementStates: retirementStatesSchema,
  vault: z.strictObject({ ...vaultFields, address: httpsUrl.optional() }),
  concourse: z.strictObject(concourseFields),
  operators: z
    .strictObject({
      users: z.array(slackUserId).default([]),
      usergroups: z.array(slackUsergroupId).default([]),
    })
    .default({ users: [], usergroups: [] }),
  alerts: z.strictObject({ channel: slackChannelId }).optional(),
  watch: watchSchema.default(DEFAULT_WATCH),
  credentials: z
    .strictObject({ record: credentialsRecordSchema.default('vault') })
    .default({ record: 'vault' }),
  approval: z.strictObject(approvalFields).superRefine((approval, ctx) => {
    const { users, usergroups } = approval.approvers;
    if (approval.required && users.length + usergroups.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['approvers'],
        message: 'approval is required but no approvers are set',
      });
    }
  }),
};

export const targetSchema = z.discriminatedUnion('transport', [
  z.strictObject({
    ...commonTargetFields,
    transport: z.literal('ssh'),
    edxWorker: z.strictObject(edxWorkerFields),
  }),
  z.strictObject({
    ...commonTargetFields,
    transport: z.literal('kubernetes'),
    kubernetes: z.strictObject({
      ...kubernetesFields,
      context: kubernetesFields.context.optional(),
      namespace: z.string().regex(dnsLabel, 'must be a namespace name'),
      command: kubernetesFields.command.default(DEFAULT_MANAGE_COMMAND),
      commandTimeoutSeconds: kubernetesFields.commandTimeoutSeconds.default(DEFAULT_COMMAND_TIMEOUT_SECONDS),
    }),
  }),
]);
export type Target = z.infer<typeof targetSchema>;
