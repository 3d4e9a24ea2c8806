import type { Health, HealthRecord } from '../../jobs/watch/pair-health.js';
import { CHECK_TITLES, failingChecks } from '../../jobs/watch/pair-health.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { slackDate } from '../slack-date.js';

export const HEALTH_ICON: Record<Health, string> = {
  ok: ':large_green_circle:',
  degraded: ':large_yellow_circle:',
  broken: ':red_circle:',
};

/** `broken since <date>` or `not checked yet`, for one-line listings; a silence is named. */
export function healthPhrase(record: HealthRecord | undefined, now = Date.now()): string {
  if (!record) return ':white_circle: not checked yet';
  const silenced =
    record.silencedUntil && record.silencedUntil > now
      ? `; alerts silenced${record.silencedBy ? ` by <@${record.silencedBy}>` : ''} until ${slackDate(record.silencedUntil)}`
      : '';
  return `${HEALTH_ICON[record.health]} ${record.health} since ${slackDate(record.since)} (checked ${slackDate(record.checkedAt)}${silenced})`;
}

/** One line per failing check: what it verifies and what it found. */
export function failingLines(record: HealthRecord): string[] {
  return failingChecks(record).map(
    (check) =>
      `• ${check.outcome === 'broken' ? '*broken*' : 'degraded'}: ${CHECK_TITLES[check.id]}: ${escapeMrkdwn(check.message)}`,
  );
}

/** Every check, for an explicit `/retirement check` answer. */
export function allCheckLines(record: HealthRecord): string[] {
  const mark = {
    ok: ':white_check_mark:',
    degraded: ':warning:',
    broken: ':x:',
    skipped: ':heavy_minus_sign:',
  };
  return record.checks.map(
    (check) => `${mark[check.outcome]} ${CHECK_TITLES[check.id]}: ${escapeMrkdwn(check.message)}`,
  );
}
