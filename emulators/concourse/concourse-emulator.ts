import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from '../loopback-server.js';
import { decodeSaveRequest, keepJobOrder } from './atc-config.js';
import { type EmulatedUser, FlyAuth, type Role } from './fly-auth.js';

/**
 * A loopback Concourse ATC with the behaviour the bot relies on (domain.md E, tech-notes §6):
 * fly's password-grant token endpoint, bearer auth with 401/403, team roles, pipeline config
 * with X-Concourse-Config-Version optimistic locking (stale → 500 as the ATC does) and stored the
 * way the ATC's Go structs re-marshal it (atc-config.ts), new pipelines created paused, and
 * builds that move pending → started → an outcome as they are read.
 */
export type { EmulatedUser, Role } from './fly-auth.js';

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

export class ConcourseEmulator {
  readonly pipelines = new Map<string, EmulatedPipeline>();
  readonly builds: EmulatedBuild[] = [];
  readonly traffic: ConcourseTraffic[] = [];
  private readonly teams: Set<string>;
  private buildOutcome: EmulatedBuild['status'] = 'succeeded';
  private holdBuilds = false;
  private latencyMs = 0;
  private server: Server | undefined;
  url = '';

  private constructor(
    users: EmulatedUser[],
    private readonly auth: FlyAuth,
  ) {
    this.teams = new Set(['main', ...users.flatMap((u) => Object.keys(u.teams))]);
  }

  static async start(
    options: { users?: EmulatedUser[]; tokenTtlSeconds?: number } = {},
  ): Promise<ConcourseEmulator> {
    const users = options.users ?? [];
    const emulator = new ConcourseEmulator(users, new FlyAuth(users, options.tokenTtlSeconds ?? 86_400));
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
    this.auth.expireTokens();
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

  /**
   * A build the pipeline's own trigger (the weekly `time` resource) ran and finished at `finishedAt`
   * (ms), as the job's build list then shows it; a test ages or fails the last build this way.
   */
  recordScheduledBuild(
    team: string,
    pipeline: string,
    job: string,
    status: 'succeeded' | 'failed' | 'errored',
    finishedAt: number,
  ): void {
    const id = this.builds.length + 1;
    const end = Math.floor(finishedAt / 1000);
    this.builds.push({
      id,
      name: String(this.jobBuilds(team, pipeline, job).length + 1),
      status,
      team_name: team,
      pipeline_name: pipeline,
      job_name: job,
      api_url: `/api/v1/builds/${id}`,
      start_time: end - 60,
      end_time: end,
      reads: 0,
    });
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
    if (req.method === 'POST' && url.pathname === '/sky/issuer/token') {
      const { status, payload } = this.auth.issueToken(req, body);
      return send(status, payload);
    }
    if (req.method === 'GET' && url.pathname === '/api/v1/info')
      return send(200, { version: '7.11.2', worker_version: '2.5' });

    const user = this.auth.authenticate(req);
    if (!user) return send(401, 'not authorized');
    if (req.method === 'GET' && url.pathname === '/api/v1/user') {
      return send(200, { user_name: user.username, is_admin: Boolean(user.admin), teams: user.teams });
    }
    const buildMatch = /^\/api\/v1\/builds\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && buildMatch) {
      const build = this.builds.find((b) => b.id === Number(buildMatch[1]));
      if (!build) return send(404, '');
      if (!this.auth.allowed(user, build.team_name, 'viewer')) return send(403, 'forbidden');
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
    const need = (role: Role) => this.auth.allowed(user, team, role);

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
    const request = decodeSaveRequest(req, name, body);
    if ('status' in request) {
      send(request.status, request.payload);
      return;
    }
    const { config, sent } = request;
    if ((pipeline?.version ?? 0) !== sent) {
      send(500, 'failed to save config: comparison with existing config failed during save');
      return;
    }
    if (pipeline) {
      pipeline.config = keepJobOrder(config, pipeline.config);
      pipeline.version += 1;
      send(200, {});
      return;
    }
    this.pipelines.set(`${team}/${name}`, { team, name, config, version: 1, paused: true });
    send(201, {});
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

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
