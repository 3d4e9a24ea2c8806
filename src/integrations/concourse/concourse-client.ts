import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { BotError } from '../../errors.js';
import type { BuildSummary, PipelineStatus } from '../../jobs/pipeline-status.js';
import type { Logger } from '../../logging/logger.js';
import type { SecretRedactor } from '../../logging/secret-redactor.js';

/** A build as the ATC returns it (atc/build.go); only the fields the bot reads. */
export interface BuildJson {
  id: number;
  name: string;
  status: 'pending' | 'started' | 'succeeded' | 'failed' | 'errored' | 'aborted';
  team_name: string;
  job_name?: string;
  pipeline_name?: string;
  start_time?: number;
  end_time?: number;
}

export interface PipelineJson {
  name: string;
  paused: boolean;
  archived?: boolean;
  team_name: string;
}

export const FINISHED_BUILD_STATUSES: readonly BuildJson['status'][] = [
  'succeeded',
  'failed',
  'errored',
  'aborted',
];

export interface ConcourseClientOptions {
  url: string;
  team: string;
  username: string;
  password: string;
  timeoutMs?: number;
  redactor: SecretRedactor;
  logger: Logger;
}

/** fly's OAuth client, hard-coded in the ATC (atc/atccmd/command.go). */
const FLY_CLIENT = `Basic ${Buffer.from('fly:Zmx5').toString('base64')}`;
const TOKEN_SCOPE = 'openid profile email federated:id groups';
/** Renew a little before the ATC says the token expires. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Talks to one Concourse team the way fly does (domain.md E): password-grant login, then the
 * REST API with a bearer token, re-logging in once when the token is rejected.
 */
export class ConcourseClient {
  private token: { value: string; expiresAt: number } | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: ConcourseClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    options.redactor.register(options.password);
  }

  private get teamPath(): string {
    return `/api/v1/teams/${encodeURIComponent(this.options.team)}`;
  }

  pipelineUrl(pipeline: string): string {
    return `${this.options.url}/teams/${this.options.team}/pipelines/${pipeline}`;
  }

  buildUrl(pipeline: string, build: Pick<BuildJson, 'name' | 'job_name'>): string {
    return `${this.pipelineUrl(pipeline)}/jobs/${build.job_name ?? ''}/builds/${build.name}`;
  }

  async checkAccess(): Promise<void> {
    const user = (await this.json('GET', '/api/v1/user')) as {
      is_admin?: boolean;
      teams?: Record<string, string[]>;
    };
    const roles = user.teams?.[this.options.team] ?? [];
    if (user.is_admin || roles.some((role) => role === 'owner' || role === 'member')) return;
    throw new BotError({
      code: 'concourse_team_forbidden',
      userMessage: `Concourse user ${this.options.username} needs the member role in team ${this.options.team} (has: ${roles.join(', ') || 'none'}).`,
    });
  }

  async getPipelineConfig(pipeline: string): Promise<{ config: unknown; version: string } | undefined> {
    const response = await this.request('GET', `${this.teamPath}/pipelines/${pipeline}/config`, {
      allow404: true,
    });
    if (response.status === 404) return undefined;
    const body = (await response.json()) as { config: unknown };
    return { config: body.config, version: response.headers.get('x-concourse-config-version') ?? '' };
  }

  /** A unified diff of the two configs as YAML with sorted keys, so only real changes show. */
  diffConfig(current: unknown, desired: unknown): { changed: boolean; text: string } {
    const before = current === undefined ? '' : stringify(current, { sortMapEntries: true });
    const after = stringify(desired, { sortMapEntries: true });
    if (before === after) return { changed: false, text: '' };
    const patch = createTwoFilesPatch('current', 'generated', before, after, '', '', { context: 2 });
    return {
      changed: true,
      text: patch
        .split('\n')
        .filter((line) => !line.startsWith('==='))
        .join('\n')
        .trimEnd(),
    };
  }

  async setPipeline(
    pipeline: string,
    config: unknown,
    expectedVersion: string | undefined,
  ): Promise<{ created: boolean; warnings: string[] }> {
    const response = await this.request('PUT', `${this.teamPath}/pipelines/${pipeline}/config`, {
      body: JSON.stringify(config),
      headers: { 'content-type': 'application/json', 'x-concourse-config-version': expectedVersion ?? '' },
      rawErrors: true,
    });
    const text = await response.text();
    if (response.status === 200 || response.status === 201) {
      const body = text ? (JSON.parse(text) as { warnings?: { message: string }[] }) : {};
      return { created: response.status === 201, warnings: (body.warnings ?? []).map((w) => w.message) };
    }
    if (text.includes('comparison with existing config failed')) {
      throw new BotError({
        code: 'concourse_concurrent_change',
        userMessage: `Someone changed ${this.options.team}/${pipeline} in Concourse while the bot was setting it; nothing was overwritten. Run setup again to see the new difference.`,
        detail: text.slice(0, 300),
        retryable: true,
      });
    }
    if (response.status === 400) {
      const errors = safeErrors(text);
      throw new BotError({
        code: 'concourse_config_rejected',
        userMessage: `Concourse rejected the pipeline: ${errors.join('; ')}`,
      });
    }
    throw this.statusError(response.status, `PUT config`, text);
  }

  async getPipeline(pipeline: string): Promise<PipelineJson | undefined> {
    const response = await this.request('GET', `${this.teamPath}/pipelines/${pipeline}`, { allow404: true });
    return response.status === 404 ? undefined : ((await response.json()) as PipelineJson);
  }

  async unpause(pipeline: string): Promise<void> {
    await this.request('PUT', `${this.teamPath}/pipelines/${pipeline}/unpause`);
  }

  async listJobBuilds(pipeline: string, job: string, limit: number): Promise<BuildJson[]> {
    const response = await this.request(
      'GET',
      `${this.teamPath}/pipelines/${pipeline}/jobs/${job}/builds?limit=${limit}`,
      {
        allow404: true,
      },
    );
    return response.status === 404 ? [] : ((await response.json()) as BuildJson[]);
  }

  async triggerJob(pipeline: string, job: string): Promise<BuildJson> {
    return (await this.json(
      'POST',
      `${this.teamPath}/pipelines/${pipeline}/jobs/${job}/builds`,
    )) as BuildJson;
  }

  async getBuild(id: number): Promise<BuildJson> {
    return (await this.json('GET', `/api/v1/builds/${id}`)) as BuildJson;
  }

  /** Polls until the build ends, the deadline passes, or the run is cancelled. */
  async waitForBuild(
    id: number,
    options: {
      pollMs: number;
      timeoutMs: number;
      onStatus?: (build: BuildJson) => void;
      cancelled?: () => Promise<boolean>;
    },
  ): Promise<BuildJson> {
    const deadline = Date.now() + options.timeoutMs;
    let last: BuildJson['status'] | undefined;
    for (;;) {
      const build = await this.getBuild(id);
      if (build.status !== last) {
        last = build.status;
        options.onStatus?.(build);
      }
      if (FINISHED_BUILD_STATUSES.includes(build.status)) return build;
      if (await options.cancelled?.()) {
        throw new BotError({
          code: 'cancelled',
          userMessage: `Stopped following build #${build.name} because the run was cancelled; the build goes on in Concourse.`,
        });
      }
      if (Date.now() >= deadline) {
        throw new BotError({
          code: 'concourse_build_timeout',
          userMessage: `Build #${build.name} was still ${build.status} after ${Math.round(options.timeoutMs / 60_000)} min; follow it in Concourse.`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
  }

  /** For `status`: whether the pipeline exists, is paused, and its jobs' latest builds. */
  async readStatus(pipeline: string, jobs: string[], buildsPerJob = 5): Promise<PipelineStatus> {
    const url = this.pipelineUrl(pipeline);
    const state = await this.getPipeline(pipeline);
    if (!state) return { exists: false, url, builds: [] };
    const builds: BuildSummary[] = [];
    for (const job of jobs) {
      for (const build of await this.listJobBuilds(pipeline, job, buildsPerJob)) {
        builds.push({
          name: `${job} #${build.name}`,
          status: build.status,
          // The ATC reports Unix seconds; the bot's times are milliseconds.
          ...(build.start_time ? { startTime: build.start_time * 1000 } : {}),
          ...(build.end_time ? { endTime: build.end_time * 1000 } : {}),
          url: `${url}/jobs/${job}/builds/${build.name}`,
        });
      }
    }
    return { exists: true, paused: state.paused, url, builds };
  }

  private async json(method: string, path: string): Promise<unknown> {
    const response = await this.request(method, path);
    return response.json();
  }

  private async request(
    method: string,
    path: string,
    options: {
      body?: string;
      headers?: Record<string, string>;
      allow404?: boolean;
      rawErrors?: boolean;
    } = {},
    retried = false,
  ): Promise<Response> {
    const token = await this.bearer();
    const response = await this.fetch(`${this.options.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...options.headers },
      body: options.body,
    });
    if (response.status === 401 && !retried) {
      // Tokens expire (and the ATC forgets them on restart): log in again once.
      this.token = undefined;
      return this.request(method, path, options, true);
    }
    if (response.ok || (options.allow404 && response.status === 404) || options.rawErrors) return response;
    throw this.statusError(response.status, `${method} ${path}`, await response.text());
  }

  private statusError(status: number, what: string, body: string): BotError {
    const { team, url } = this.options;
    if (status === 401) {
      return new BotError({
        code: 'concourse_login_failed',
        userMessage: `Concourse at ${url} rejected the bot's token.`,
      });
    }
    if (status === 403) {
      return new BotError({
        code: 'concourse_team_forbidden',
        userMessage: `Concourse user ${this.options.username} may not do this in team ${team} (403).`,
        detail: what,
      });
    }
    return new BotError({
      code: status >= 500 ? 'concourse_server_error' : 'concourse_request_failed',
      userMessage: `Concourse at ${url} answered ${status} to ${what}.`,
      detail: body.slice(0, 300),
      retryable: status >= 500,
    });
  }

  private async bearer(): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value;
    const response = await this.fetch(`${this.options.url}/sky/issuer/token`, {
      method: 'POST',
      headers: { authorization: FLY_CLIENT, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: this.options.username,
        password: this.options.password,
        scope: TOKEN_SCOPE,
      }).toString(),
    });
    if (!response.ok) {
      throw new BotError({
        code: response.status >= 500 ? 'concourse_server_error' : 'concourse_login_failed',
        userMessage: `Concourse at ${this.options.url} refused the login of ${this.options.username} (${response.status}); check CONCOURSE_USERNAME and CONCOURSE_PASSWORD.`,
        retryable: response.status >= 500,
      });
    }
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) {
      throw new BotError({
        code: 'concourse_login_failed',
        userMessage: `Concourse at ${this.options.url} returned no token.`,
      });
    }
    this.options.redactor.register(body.access_token);
    const lifetimeMs = (body.expires_in ?? 86_400) * 1000;
    this.token = {
      value: body.access_token,
      expiresAt: Date.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2),
    };
    return this.token.value;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new BotError({
        code: 'concourse_unreachable',
        userMessage: timedOut
          ? `Concourse at ${this.options.url} did not answer within ${this.timeoutMs / 1000} s.`
          : `Concourse at ${this.options.url} is unreachable.`,
        detail:
          error instanceof Error
            ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`
            : String(error),
        retryable: true,
        cause: error,
      });
    }
  }
}

function safeErrors(text: string): string[] {
  try {
    const body = JSON.parse(text) as { errors?: string[] };
    return body.errors?.length ? body.errors : [text.slice(0, 200)];
  } catch {
    return [text.slice(0, 200)];
  }
}

export function createConcourseClient(options: ConcourseClientOptions): ConcourseClient {
  return new ConcourseClient(options);
}
