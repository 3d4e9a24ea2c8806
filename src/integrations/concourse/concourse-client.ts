import { BotError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import {
  type BuildJson,
  buildListSchema,
  buildSchema,
  type PipelineJson,
  pipelineConfigAnswerSchema,
  pipelineSchema,
  rejectedConfigSchema,
  savedConfigSchema,
  userSchema,
} from './concourse-schemas.js';
import { ConcourseSession, type ConcourseSessionOptions } from './concourse-session.js';
import { type ConfigDiff, diffConfig } from './pipeline-config-diff.js';
import type { BuildSummary, PipelineStatus } from './pipeline-status.js';

export type { BuildJson, PipelineJson } from './concourse-schemas.js';

export const FINISHED_BUILD_STATUSES: readonly BuildJson['status'][] = [
  'succeeded',
  'failed',
  'errored',
  'aborted',
];

export interface ConcourseClientOptions extends ConcourseSessionOptions {
  logger: Logger;
}

/** The operations the bot needs on one Concourse team, over a fly-style session. */
export class ConcourseClient {
  private readonly session: ConcourseSession;

  constructor(private readonly options: ConcourseClientOptions) {
    this.session = new ConcourseSession(options);
  }

  private get teamPath(): string {
    return `/api/v1/teams/${encodeURIComponent(this.options.team)}`;
  }

  pipelineUrl(pipeline: string): string {
    return `${this.options.url}/teams/${this.options.team}/pipelines/${pipeline}`;
  }

  async checkAccess(): Promise<void> {
    const user = await this.session.json('GET', '/api/v1/user', userSchema);
    const roles = user.teams?.[this.options.team] ?? [];
    if (user.is_admin || roles.some((role) => role === 'owner' || role === 'member')) return;
    throw new BotError({
      code: 'concourse_team_forbidden',
      userMessage: `Concourse user ${this.options.username} needs the member role in team ${this.options.team} (has: ${roles.join(', ') || 'none'}).`,
    });
  }

  async getPipelineConfig(pipeline: string): Promise<{ config: unknown; version: string } | undefined> {
    const path = `${this.teamPath}/pipelines/${pipeline}/config`;
    const response = await this.session.request('GET', path, { allow404: true });
    if (response.status === 404) return undefined;
    const body = await this.session.answer(response, pipelineConfigAnswerSchema, `GET ${path}`);
    return { config: body.config, version: response.headers.get('x-concourse-config-version') ?? '' };
  }

  diffConfig(current: unknown, desired: unknown): ConfigDiff {
    return diffConfig(current, desired);
  }

  async setPipeline(
    pipeline: string,
    config: unknown,
    expectedVersion: string | undefined,
  ): Promise<{ created: boolean; warnings: string[] }> {
    const path = `${this.teamPath}/pipelines/${pipeline}/config`;
    const response = await this.session.request('PUT', path, {
      body: JSON.stringify(config),
      headers: { 'content-type': 'application/json', 'x-concourse-config-version': expectedVersion ?? '' },
      rawErrors: true,
    });
    const text = await response.text();
    if (response.status === 200 || response.status === 201) {
      const body = text ? this.session.parse(text, savedConfigSchema, `PUT ${path}`) : {};
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
      const { errors } = this.session.parse(text, rejectedConfigSchema, `PUT ${path} (400)`);
      throw new BotError({
        code: 'concourse_config_rejected',
        userMessage: `Concourse rejected the pipeline: ${errors.join('; ')}`,
      });
    }
    throw this.session.statusError(response.status, `PUT config`, text);
  }

  async getPipeline(pipeline: string): Promise<PipelineJson | undefined> {
    const path = `${this.teamPath}/pipelines/${pipeline}`;
    const response = await this.session.request('GET', path, { allow404: true });
    if (response.status === 404) return undefined;
    return this.session.answer(response, pipelineSchema, `GET ${path}`);
  }

  async unpause(pipeline: string): Promise<void> {
    await this.session.request('PUT', `${this.teamPath}/pipelines/${pipeline}/unpause`);
  }

  async listJobBuilds(pipeline: string, job: string, limit: number): Promise<BuildJson[]> {
    const path = `${this.teamPath}/pipelines/${pipeline}/jobs/${job}/builds?limit=${limit}`;
    const response = await this.session.request('GET', path, { allow404: true });
    if (response.status === 404) return [];
    return this.session.answer(response, buildListSchema, `GET ${path}`);
  }

  async triggerJob(pipeline: string, job: string): Promise<BuildJson> {
    return this.session.json(
      'POST',
      `${this.teamPath}/pipelines/${pipeline}/jobs/${job}/builds`,
      buildSchema,
    );
  }

  async getBuild(id: number): Promise<BuildJson> {
    return this.session.json('GET', `/api/v1/builds/${id}`, buildSchema);
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
}

export function createConcourseClient(options: ConcourseClientOptions): ConcourseClient {
  return new ConcourseClient(options);
}
