import { describe, expect, it } from 'vitest';
import { homeViewSchema } from '../../../emulators/slack/block-kit-limits.js';
import { parseCatalog } from '../../../src/config/catalog.js';
import type { BoardRow } from '../../../src/jobs/watch/board.js';
import type { HealthRecord } from '../../../src/jobs/watch/pair-health.js';
import { renderBoard } from '../../../src/slack/home/board-view.js';
import { testCatalogYaml } from '../../support/test-catalog.js';

/** A catalog of `count` pairs (apps a0…, three environments each), every other one checked. */
function rows(count: number): BoardRow[] {
  const base = testCatalogYaml();
  const apps = Array.from(
    { length: Math.ceil(count / 3) },
    (_, i) =>
      `  a${i}:\n    concourse: { team: a${i} }\n    environments: { ci: {}, qa: {}, production: {} }`,
  );
  const yaml = `${base.slice(0, base.indexOf('apps:'))}apps:\n${apps.join('\n')}\n`;
  const targets = parseCatalog(yaml).all().slice(0, count);
  const levels = ['ok', 'degraded', 'broken'] as const;
  return targets.map((target, i) => {
    if (i % 2 === 1) return { target };
    const health: HealthRecord = {
      app: target.app,
      env: target.env,
      health: levels[i % 3] as HealthRecord['health'],
      checks: [{ id: 'pipeline', outcome: levels[i % 3] as 'ok', message: 'pipeline <b>&' }],
      since: 1_700_000_000_000,
      checkedAt: 1_700_000_100_000,
      lastBuild: { name: '12', status: 'succeeded', at: 1_700_000_000_000, url: 'https://ci.example/b/12' },
      revision: 1,
    };
    return { target, health };
  });
}

describe('the App Home board', () => {
  it('shows 12 pairs, each with its menu, within the Home tab limits', () => {
    const view = renderBoard(rows(12), Date.now());
    expect(homeViewSchema.safeParse(view).success).toBe(true);
    const menus = view.blocks.filter((b) => b.type === 'section' && b.accessory?.type === 'overflow');
    expect(menus).toHaveLength(12);
    const text = JSON.stringify(view);
    for (const row of rows(12)) expect(text).toContain(`*${row.target.app} ${row.target.env}*`);
    // Least healthy first.
    expect(JSON.stringify(view.blocks[3])).toContain(':red_circle:');
  });

  it('shows 100 pairs within 100 blocks, listing those past the limit rather than dropping them', () => {
    const all = rows(100);
    const view = renderBoard(all, Date.now());
    const parsed = homeViewSchema.safeParse(view);
    expect(parsed.success, JSON.stringify(parsed.error?.issues[0])).toBe(true);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(view);
    for (const row of all) expect(text).toContain(`${row.target.app} ${row.target.env}`);
  });
});

describe('a silenced pair on the board', () => {
  it('says who silenced its alerts and until when, while the silence lasts', () => {
    const [row] = rows(1);
    const health = {
      ...(row?.health as HealthRecord),
      silencedUntil: 1_700_003_600_000,
      silencedBy: 'U0OPERATOR',
    };
    const during = JSON.stringify(renderBoard([{ ...(row as BoardRow), health }], 1_700_000_200_000));
    expect(during).toContain('alerts silenced by <@U0OPERATOR> until <!date^1700003600^');
    const after = JSON.stringify(renderBoard([{ ...(row as BoardRow), health }], 1_700_003_600_001));
    expect(after).not.toContain('silenced');
  });
});
