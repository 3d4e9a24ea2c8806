import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { closeServer, listenOnLoopback } from '../loopback-server.js';

/**
 * A loopback Concourse ATC with the behaviour the bot relies on (domain.md E, tech-notes §6):
 * fly's password-grant token endpoint, bearer auth with 401/403, team roles, pipeline config
 * with X-Concourse-Config-Version optimistic locking (stale → 500 as the ATC does), new
 * pipelines created paused, and builds that move pending → started → an outcome as they are read.
 */
export type Role = 'owner' | 'member' | 'pipeline-operator' | 'viewer';

export interface EmulatedUser {
  username: string;
  password: string;
  teams: Record<string, Role[]>;
  admin?: boolean;
}

export interface EmulatedBuild {
  id: number;
  name: string;
  status: 'pending' | 'started' | 'succeeded' | 'failed' | 'errored' | 'aborted';
  team_name: string;
  pipeline_name: string;
  job_name: string;
  api_url: string;
  start_time?: number;
  end_time?: number;
  /** How many times the build has been read; it advances one status per read. */
  reads: number;
}

export interface EmulatedPipeline {
  team: string;
  name: string;
  config: Record<string, unknown>;
  version: number;
  paused: boolean;
}

export interface ConcourseTraffic {
  method: string;
  path: string;
  status: number;
  requestBody: string;
  authorization?: string;
}

const FLY_BASIC = `Basic ${Buffer.from('fly:Zmx5').toString('base64')}`;
const ROLE_RANK: Record<Role, number> = { viewer: 1, 'pipeline-operator': 2, member: 3, owner: 4 };
const NAME = /^[a-z0-9][a-z0-9\-_.]*$/;

export class ConcourseEmulator {
  readonly pipelines = new Map<string, EmulatedPipeline>();
  readonly builds: EmulatedBuild[] = [];
  readonly traffic: ConcourseTraffic[] = [];
  private readonly tokens = new Map<string, { user: EmulatedUser; expiresAt: number }>();
  private readonly teams: Set<string>;
  private buildOutcome: EmulatedBuild['status'] = 'succeeded';
  private holdBuilds = false;
  private latencyMs = 0;
  private server: Server | undefined;
  url = '';

  private constructor(
    private readonly users: EmulatedUser[],
    private readonly tokenTtlSeconds: number,
  ) {
    this.teams = new Set(['main', ...users.flatMap((u) => Object.keys(u.teams))]);
  }

  static async start(
    options: { users?: EmulatedUser[]; tokenTtlSeconds?: number } = {},
  ): Promise<ConcourseEmulator> {
    const emulator = new ConcourseEmulator(options.users ?? [], options.tokenTtlSeconds ?? 86_400);
    emulator.server = createServer((req, res) => {
      emulator.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    emulator.url = await listenOnLoopback(emulator.server);
    return emulator;
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }

  addTeam(name: string): void {
    this.teams.add(name);
  }

  /** Every issued token becomes invalid, as after an ATC restart or expiry. */
  expireTokens(): void {
    this.tokens.clear();
  }

  setBuildOutcome(outcome: 'succeeded' | 'failed' | 'errored'): void {
    this.buildOutcome = outcome;
  }

  /** While held, builds stay `started`, so a test can act while one is running. */
  setHoldBuilds(hold: boolean): void {
    this.holdBuilds = hold;
  }

  setLatencyMs(ms: number): void {
    this.latencyMs = ms;
  }

  /** Someone else saves the pipeline (as with fly), bumping its config version. */
  changeConfigBehindBack(team: string, pipeline: string): void {
    const existing = this.pipelines.get(`${team}/${pipeline}`);
    if (existing) existing.version += 1;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const url = new URL(req.url ?? '/', 'http://atc');
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      this.traffic.push({
        method: req.method ?? '',
        path: url.pathname,
        status,
        requestBody: body,
        authorization: req.headers.authorization,
      });
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const type = typeof payload === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(status === 200 && payload === '' ? undefined : text);
    };
    if (req.method === 'POST' && url.pathname === '/sky/issuer/token')
      return this.issueToken(req, body, send);
    if (req.method === 'GET' && url.pathname === '/api/v1/info')
      return send(200, { version: '7.11.2', worker_version: '2.5' });

    const user = this.authenticate(req);
    if (!user) return send(401, 'not authorized');
    if (req.method === 'GET' && url.pathname === '/api/v1/user') {
      return send(200, { user_name: user.username, is_admin: Boolean(user.admin), teams: user.teams });
    }
    const buildMatch = /^\/api\/v1\/builds\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && buildMatch) {
      const build = this.builds.find((b) => b.id === Number(buildMatch[1]));
      if (!build) return send(404, '');
      if (!this.allowed(user, build.team_name, 'viewer')) return send(403, 'forbidden');
      this.advance(build);
      return send(200, buildJson(build));
    }
    const teamMatch = /^\/api\/v1\/teams\/([^/]+)\/pipelines\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!teamMatch) return send(404, '');
    const [, team = '', pipelineName = '', rest = ''] = teamMatch;
    return this.pipelineRoute(req.method ?? 'GET', team, pipelineName, rest, url, req, body, user, send);
  }

  private async pipelineRoute(
    method: string,
    team: string,
    name: string,
    rest: string,
    url: URL,
    req: IncomingMessage,
    body: string,
    user: EmulatedUser,
    send: (status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): Promise<void> {
    if (!this.teams.has(team)) return send(404, '');
    const key = `${team}/${name}`;
    const pipeline = this.pipelines.get(key);
    const need = (role: Role) => this.allowed(user, team, role);

    if (rest === '/config' && method === 'GET') {
      if (!need('viewer')) return send(403, 'forbidden');
      if (!pipeline) return send(404, '');
      return send(
        200,
        { config: pipeline.config },
        { 'X-Concourse-Config-Version': String(pipeline.version) },
      );
    }
    if (rest === '/config' && method === 'PUT') {
      if (!need('member')) return send(403, 'forbidden');
      return this.saveConfig(team, name, pipeline, req, body, send);
    }
    if (rest === '' && method === 'GET') {
      if (!need('viewer')) return send(403, 'forbidden');
      if (!pipeline) return send(404, '');
      return send(200, {
        id: 1,
        name,
        paused: pipeline.paused,
        public: false,
        archived: false,
        team_name: team,
      });
    }
    if ((rest === '/unpause' || rest === '/pause') && method === 'PUT') {
      if (!need('pipeline-operator')) return send(403, 'forbidden');
      if (!pipeline) return send(404, '');
      pipeline.paused = rest === '/pause';
      return send(200, '');
    }
    const jobMatch = /^\/jobs\/([^/]+)(\/builds)?$/.exec(rest);
    if (jobMatch && pipeline) {
      const job = jobMatch[1] as string;
      const jobs = (pipeline.config.jobs as { name: string }[] | undefined) ?? [];
      if (!jobs.some((j) => j.name === job)) return send(404, '');
      if (!jobMatch[2] && method === 'GET') {
        if (!need('viewer')) return send(403, 'forbidden');
        const latest = this.jobBuilds(team, name, job)[0];
        return send(200, {
          name: job,
          pipeline_name: name,
          team_name: team,
          finished_build: latest ? buildJson(latest) : null,
        });
      }
      if (jobMatch[2] && method === 'GET') {
        if (!need('viewer')) return send(403, 'forbidden');
        const limit = Number(url.searchParams.get('limit') ?? 100);
        return send(200, this.jobBuilds(team, name, job).slice(0, limit).map(buildJson));
      }
      if (jobMatch[2] && method === 'POST') {
        if (!need('pipeline-operator')) return send(403, 'forbidden');
        const id = this.builds.length + 1;
        const build: EmulatedBuild = {
          id,
          name: String(this.jobBuilds(team, name, job).length + 1),
          status: 'pending',
          team_name: team,
          pipeline_name: name,
          job_name: job,
          api_url: `/api/v1/builds/${id}`,
          reads: 0,
        };
        this.builds.push(build);
        return send(200, buildJson(build));
      }
    }
    return send(404, '');
  }

  private saveConfig(
    team: string,
    name: string,
    pipeline: EmulatedPipeline | undefined,
    req: IncomingMessage,
    body: string,
    send: (status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): void {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (type !== 'application/json' && type !== 'application/x-yaml') {
      send(415, '');
      return;
    }
    if (!NAME.test(name)) {
      send(400, { errors: [`invalid pipeline name '${name}'`] });
      return;
    }
    let config: Record<string, unknown>;
    try {
      config = (type === 'application/json' ? JSON.parse(body) : parseYaml(body)) as Record<string, unknown>;
    } catch {
      send(400, { errors: ['malformed config'] });
      return;
    }
    const errors = validate(config);
    if (errors.length > 0) {
      send(400, { errors });
      return;
    }
    const header = String(req.headers['x-concourse-config-version'] ?? '');
    if (header !== '' && !/^\d+$/.test(header)) {
      send(400, { errors: ['malformed config version'] });
      return;
    }
    const sent = header === '' ? 0 : Number(header);
    if ((pipeline?.version ?? 0) !== sent) {
      send(500, 'failed to save config: comparison with existing config failed during save');
      return;
    }
    if (pipeline) {
      pipeline.config = config;
      pipeline.version += 1;
      send(200, {});
      return;
    }
    this.pipelines.set(`${team}/${name}`, { team, name, config, version: 1, paused: true });
    send(201, {});
  }

  private issueToken(
    req: IncomingMessage,
    body: string,
    send: (status: number, payload: unknown) => void,
  ): void {
    if (req.headers.authorization !== FLY_BASIC) {
      send(401, { error: 'invalid_client' });
      return;
    }
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'password') {
      send(400, { error: 'unsupported_grant_type' });
      return;
    }
    const user = this.users.find(
      (u) => u.username === form.get('username') && u.password === form.get('password'),
    );
    if (!user) {
      send(401, { error: 'invalid_grant', error_description: 'invalid username and password' });
      return;
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { user, expiresAt: Date.now() + this.tokenTtlSeconds * 1000 });
    send(200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.tokenTtlSeconds,
      id_token: 'x',
    });
  }

  private authenticate(req: IncomingMessage): EmulatedUser | undefined {
    const match = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const entry = match ? this.tokens.get(match[1] as string) : undefined;
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    return entry.user;
  }

  private allowed(user: EmulatedUser, team: string, role: Role): boolean {
    if (user.admin) return true;
    return (user.teams[team] ?? []).some((r) => ROLE_RANK[r] >= ROLE_RANK[role]);
  }

  private jobBuilds(team: string, pipeline: string, job: string): EmulatedBuild[] {
    return this.builds
      .filter((b) => b.team_name === team && b.pipeline_name === pipeline && b.job_name === job)
      .sort((a, b) => b.id - a.id);
  }

  private advance(build: EmulatedBuild): void {
    build.reads += 1;
    if (build.status === 'pending') {
      build.status = 'started';
      build.start_time = Math.floor(Date.now() / 1000);
    } else if (build.status === 'started' && !this.holdBuilds && build.reads >= 2) {
      build.status = this.buildOutcome;
      build.end_time = Math.floor(Date.now() / 1000);
    }
  }
}

function buildJson(build: EmulatedBuild): Omit<EmulatedBuild, 'reads'> {
  const { reads: _reads, ...json } = build;
  return json;
}

/** A few of atc/configvalidate's rules: names, duplicates, and steps naming unknown resources. */
function validate(config: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const resources = (config.resources as { name?: string }[] | undefined) ?? [];
  const jobs = (config.jobs as { name?: string; plan?: Record<string, unknown>[] }[] | undefined) ?? [];
  if (jobs.length === 0) errors.push('jobs: pipeline must contain at least one job');
  const names = new Set<string>();
  for (const resource of resources) {
    if (!resource.name || !NAME.test(resource.name)) errors.push(`resources.${resource.name}: invalid name`);
    if (resource.name && names.has(resource.name))
      errors.push(`resources.${resource.name} appears multiple times`);
    if (resource.name) names.add(resource.name);
  }
  for (const job of jobs) {
    if (!job.name || !NAME.test(job.name)) errors.push(`jobs.${job.name}: invalid name`);
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

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
