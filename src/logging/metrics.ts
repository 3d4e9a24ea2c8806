import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The bot's Prometheus metrics, one registry per process (tests build their own). */
export class Metrics {
  readonly registry = new Registry();

  readonly commands = new Counter({
    name: 'retirement_bot_slash_commands_total',
    help: 'Slash commands received, by subcommand and outcome.',
    labelNames: ['subcommand', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly interactions = new Counter({
    name: 'retirement_bot_interactions_total',
    help: 'Button clicks received, by action and outcome.',
    labelNames: ['action', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly runs = new Counter({
    name: 'retirement_bot_runs_finished_total',
    help: 'Runs that reached a final state, by kind and status.',
    labelNames: ['kind', 'status'] as const,
    registers: [this.registry],
  });

  readonly stepDuration = new Histogram({
    name: 'retirement_bot_step_duration_seconds',
    help: 'Wall time of each run step, by step and outcome.',
    labelNames: ['step', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  readonly slackRateLimited = new Counter({
    name: 'retirement_bot_slack_rate_limited_total',
    help: 'Slack Web API calls answered with 429, by method.',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });

  readonly slackCalls = new Counter({
    name: 'retirement_bot_slack_calls_total',
    help: 'Slack Web API calls sent, by method and outcome (ok, error, rate_limited).',
    labelNames: ['method', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly slackPublishLag = new Gauge({
    name: 'retirement_bot_slack_publish_lag_seconds',
    help: 'How long the oldest run change not yet shown in Slack has waited, by channel.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'retirement_bot_queue_jobs',
    help: 'Jobs in the run queue, by state.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  /** 0 ok, 1 degraded, 2 broken: what the last drift check found, read from Redis at each scrape. */
  readonly pairHealth = new Gauge({
    name: 'retirement_bot_pair_health',
    help: 'Health of each pair after its last drift check: 0 ok, 1 degraded, 2 broken.',
    labelNames: ['app', 'env'] as const,
    registers: [this.registry],
  });

  readonly driftCheck = new Gauge({
    name: 'retirement_bot_drift_check',
    help: 'Outcome of each drift check of each pair: 0 ok, 1 degraded, 2 broken (skipped checks are absent).',
    labelNames: ['app', 'env', 'check'] as const,
    registers: [this.registry],
  });

  readonly lastDriftCheck = new Gauge({
    name: 'retirement_bot_drift_check_timestamp_seconds',
    help: 'When each pair was last checked (Unix seconds), to alert on a watch that stopped.',
    labelNames: ['app', 'env'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
