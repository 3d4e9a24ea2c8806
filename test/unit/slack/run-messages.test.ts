import { describe, expect, it } from 'vitest';
import { blocksSchema } from '../../../emulators/slack/block-kit-limits.js';
import type { ApprovalRecord, RunRecord } from '../../../src/jobs/run-record.js';
import { renderApproval } from '../../../src/slack/run-messages/approval-message.js';
import { codeBlock, fitBlocks } from '../../../src/slack/run-messages/block-text.js';
import { formatElapsed } from '../../../src/slack/run-messages/elapsed.js';
import { renderCard, renderFinal } from '../../../src/slack/run-messages/run-card.js';
import { renderStep } from '../../../src/slack/run-messages/step-message.js';
import {
  cancelledSetup,
  failedBuild,
  failedConfiguration,
  succeededPlan,
  succeededSetup,
  T0,
} from '../../support/run-fixtures.js';

const DIFF_LINES = [
  '@@ -10,7 +10,7 @@',
  '-  - check_every: 5m0s',
  '+  - check_every: 1m0s',
  '-        TUBULAR_LMS_HOST: https://elsewhere',
  '+        TUBULAR_LMS_HOST: ((tubular_oauth_client.host))',
];
/** As a phase preview carries it: each detail line indented under its step's line. */
const DIFF = DIFF_LINES.map((line) => `    ${line}`).join('\n');

function approval(status: ApprovalRecord['status']): ApprovalRecord {
  return {
    phase: 'concourse',
    status,
    attempt: 1,
    changes: `• Concourse: set the tubular pipeline: Would update \`mitxonline/misc-cloud-tubular\`.\n${DIFF}`,
    previewDigest: 'd'.repeat(64),
    requestedAt: T0,
    expiresAt: T0 + 86_400_000,
    ...(status === 'approved' ? { decidedBy: 'U0CAROL', decidedAt: T0 + 60_000 } : {}),
  };
}

/** Every text a message shows, joined, for assertions on what a reader sees. */
function shown(message: { blocks: unknown[] }): string {
  return JSON.stringify(message.blocks);
}

function everyMessage(run: RunRecord) {
  return [renderCard(run), renderFinal(run), ...run.steps.map((step) => renderStep(run, step))];
}

describe('the Block Kit builders', () => {
  it.each([
    ['a succeeded setup', succeededSetup],
    ['a succeeded plan', succeededPlan],
    ['a failed build', failedBuild],
    ['a failure a retry cannot fix', failedConfiguration],
    ['a cancelled setup', cancelledSetup],
  ])('render %s as valid Block Kit', (name, fixture) => {
    const run = fixture();
    for (const message of everyMessage(run)) {
      expect(blocksSchema.safeParse(fitBlocks(message.blocks)).success).toBe(true);
    }
    expect({ card: renderCard(run), final: renderFinal(run) }).toMatchSnapshot(name);
  });

  it('render each step with its summary, its detail and how long it took', () => {
    const run = succeededSetup();
    expect(run.steps.map((step) => renderStep(run, step))).toMatchSnapshot();
    const credentials = renderStep(run, run.steps[2] as RunRecord['steps'][number]);
    expect(shown(credentials)).toContain('_(2s)_');
    expect(shown(credentials)).toContain('secret: a new one (value not shown)');
  });

  it('render approvals with the changed lines, pending and decided', () => {
    const run = succeededSetup();
    const pending = renderApproval(run, approval('pending'), '<@U0CAROL>');
    // The step's line reads as text; its diff lines sit verbatim in a code block.
    expect(pending.blocks[1]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '• Concourse: set the tubular pipeline: Would update `mitxonline/misc-cloud-tubular`.',
      },
    });
    expect(pending.blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: `\`\`\`${DIFF_LINES.join('\n')}\`\`\`` },
    });
    expect(shown(pending)).toContain('retirement_approve');
    const approved = renderApproval(run, approval('approved'), '<@U0CAROL>');
    expect(shown(approved)).toContain('Approved by <@U0CAROL>');
    expect(shown(approved)).not.toContain('retirement_approve');
    expect({ pending, approved }).toMatchSnapshot();
  });

  it('read a plan as a plan, with distinct icons for would change and in place', () => {
    const run = succeededPlan();
    expect(shown(renderCard(run))).toContain('Plan: 3 to change, 2 in place');
    expect(shown(renderCard(run))).not.toContain('Succeeded');
    const icons = run.steps.map(
      (step) => (renderStep(run, step).blocks[0] as { text: { text: string } }).text.text.split(' ')[0],
    );
    expect(icons).toEqual([
      ':heavy_check_mark:',
      ':heavy_check_mark:',
      ':pencil2:',
      ':pencil2:',
      ':pencil2:',
    ]);
  });

  it('summarise what changed, what was in place, with links and the time taken', () => {
    const text = shown(renderFinal(succeededSetup()));
    expect(text).toContain('took 2m 05s');
    expect(text).toContain(
      '*Changed:* Credentials; Concourse: set the tubular pipeline; Concourse: trigger and follow the first build',
    );
    expect(text).toContain('*Already in place:* LMS retirement states');
    expect(text).toContain(
      '<https://cicd.example.edu/teams/mitxonline/pipelines/misc-cloud-tubular|mitxonline/misc-cloud-tubular>',
    );
  });

  it('escape user text but keep links as links', () => {
    const run = succeededSetup();
    const preflight = shown(renderStep(run, run.steps[0] as RunRecord['steps'][number]));
    expect(preflight).toContain('Everything reachable &amp; authorised &lt;ok&gt;.');
    const build = shown(renderStep(run, run.steps[5] as RunRecord['steps'][number]));
    expect(build).toContain(
      '<https://cicd.example.edu/teams/mitxonline/pipelines/misc-cloud-tubular/jobs/retire-learners/builds/3|#3>',
    );
    expect(build).not.toContain('&lt;http');
  });

  it('offer Retry only for failures a retry can fix, and say what to do otherwise', () => {
    expect(shown(renderCard(failedBuild()))).toContain('retirement_retry');
    expect(shown(renderFinal(failedBuild()))).toContain('builds/3|#3>');
    const config = failedConfiguration();
    for (const message of [renderCard(config), renderFinal(config)]) {
      expect(shown(message)).not.toContain('retirement_retry');
      expect(shown(message)).toContain('A Retry cannot fix this. Add RETIRING_NOTES to the catalog');
      expect(shown(message)).toContain('&lt;RETIRING_NOTES&gt;');
    }
  });

  it('say what a cancelled run left done and how to finish the job', () => {
    const text = shown(renderCard(cancelledSetup()));
    expect(text).toContain('Cancelled by <@U0BOB>.');
    expect(text).toContain('Left done: Preflight; LMS retirement states; Credentials.');
    expect(text).toContain('Not done: Verify the credentials;');
    expect(text).toContain('A new `/retirement setup mitxonline qa` finishes the job');
  });
});

describe('code blocks', () => {
  it('cut a long diff on a line boundary and count what they left out', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `+  line ${i}: ${'x'.repeat(20)}`);
    const block = codeBlock(lines.join('\n'));
    const body = block.slice(3, -3).split('\n');
    const more = body.pop() as string;
    expect(body.every((line, i) => line === lines[i])).toBe(true);
    expect(more).toBe(`… ${400 - body.length} more lines not shown`);
    expect(block.length).toBeLessThan(3_000);
  });
});

describe('elapsed time', () => {
  it('reads as people say it', () => {
    expect([850, 42_000, 185_000, 3_720_000].map(formatElapsed)).toEqual([
      '850ms',
      '42s',
      '3m 05s',
      '1h 02m',
    ]);
  });
});
