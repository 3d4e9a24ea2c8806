import type { Target } from '../../config/catalog.js';
import { BotError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { ApproverDirectory } from '../approver-directory.js';
import type { PairChecker } from './drift-check.js';
import type { HealthStore } from './health-store.js';
import { type HealthRecord, healthSignature, worstOutcome } from './pair-health.js';
import type { WatchAudience } from './watch-audience.js';

export interface WatchServiceDeps {
  check: PairChecker;
  store: HealthStore;
  audience: WatchAudience;
  /** Who may silence a pair: its approvers and operators. */
  approvers: Pick<ApproverDirectory, 'isApprover' | 'isOperator'>;
  logger: Logger;
  now?: () => number;
}

/** What asked for a check: the schedule, or a person in a channel. */
export type CheckOrigin = { kind: 'scheduled' } | { kind: 'requested'; channel: string; userId: string };

/**
 * Runs drift checks and keeps each pair's health: a change is announced once in the pair's alert
 * channel (unless silenced), and so is the recovery. "Once" holds across processes: the record
 * says what the channel was last told, and only the writer that changes that posts.
 */
export class WatchService {
  private readonly now: () => number;

  constructor(private readonly deps: WatchServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async check(target: Target, origin: CheckOrigin): Promise<HealthRecord> {
    const report = await this.deps.check(target);
    const health = worstOutcome(report.checks);
    const signature = healthSignature({ health, checks: report.checks });
    const now = this.now();
    const channel = target.alerts?.channel;
    const { before, after } = await this.deps.store.update(target.app, target.env, (current) => {
      const unchanged = current !== undefined && healthSignature(current) === signature;
      const silenced = (current?.silencedUntil ?? 0) > now;
      const told = current?.posted?.signature ?? 'ok';
      const posted =
        channel && !silenced && signature !== told ? { signature, health, channel } : current?.posted;
      return {
        app: target.app,
        env: target.env,
        health,
        checks: report.checks,
        since: unchanged ? current.since : now,
        checkedAt: now,
        ...(report.lastBuild ? { lastBuild: report.lastBuild } : {}),
        ...(posted ? { posted } : {}),
        ...(silenced && current?.silencedUntil ? { silencedUntil: current.silencedUntil } : {}),
        ...(silenced && current?.silencedBy ? { silencedBy: current.silencedBy } : {}),
      };
    });
    const record = after as HealthRecord;
    const claimed = record.posted && record.posted.signature !== (before?.posted?.signature ?? 'ok');
    if (claimed && record.posted) await this.announce(target, record, before);
    if (!before || healthSignature(before) !== signature) {
      await this.deps.audience.healthChanged().catch((error: unknown) => {
        this.deps.logger.warn({ err: error }, 'redrawing the boards failed');
      });
    }
    if (origin.kind === 'requested') {
      await this.deps.audience.postResult(origin.channel, target, record, origin.userId);
    }
    return record;
  }

  /**
   * Holds the pair's alerts (and recovery) back until `until`; the next check after it catches up.
   * Only the pair's approvers and operators may: a silenced production pair fails unnoticed.
   */
  async silence(
    target: Target,
    durationMs: number,
    userId: string,
  ): Promise<{ ok: true; until: number } | { ok: false; message: string }> {
    const refusal = await this.silenceRefusal(target, userId);
    if (refusal) return { ok: false, message: refusal };
    const until = this.now() + durationMs;
    const { after } = await this.deps.store.update(target.app, target.env, (current) =>
      current ? { ...current, silencedUntil: until, silencedBy: userId } : undefined,
    );
    if (!after) return { ok: false, message: `${target.app} ${target.env} has not been checked yet.` };
    return { ok: true, until };
  }

  private async silenceRefusal(target: Target, userId: string): Promise<string | undefined> {
    try {
      const { approvers } = this.deps;
      if ((await approvers.isApprover(target, userId)) || (await approvers.isOperator(target, userId)))
        return undefined;
    } catch (error) {
      if (error instanceof BotError) return error.userMessage;
      throw error;
    }
    return `Only an approver or operator of ${target.app} ${target.env} can silence its alerts.`;
  }

  /** Posts the change claimed in the record; a failed post is handed back so the next check tries again. */
  private async announce(
    target: Target,
    record: HealthRecord,
    before: HealthRecord | undefined,
  ): Promise<void> {
    const posted = record.posted;
    if (!posted) return;
    try {
      await this.deps.audience.announce(
        posted.channel,
        target,
        record,
        record.health === 'ok' ? 'recovery' : 'alert',
      );
    } catch (error) {
      this.deps.logger.warn(
        { err: error, app: target.app, env: target.env },
        'posting a health change failed',
      );
      await this.deps.store.update(target.app, target.env, (current) => {
        if (current?.posted?.signature !== posted.signature) return undefined;
        const { posted: _claim, ...rest } = current;
        return before?.posted ? { ...rest, posted: before.posted } : rest;
      });
    }
  }
}
