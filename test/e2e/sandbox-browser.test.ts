import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker } from '../../emulators/edx-worker/edx-worker-host.js';
import { type Sandbox, startSandbox } from '../../src/app/start-sandbox.js';
import { loadCatalogFile } from '../../src/config/catalog.js';
import { loadEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/logging/logger.js';
import { SecretRedactor } from '../../src/logging/secret-redactor.js';
import { ACTION_APPROVE, ACTION_RETRY } from '../../src/slack/actions/action-ids.js';
import { deleteKeys, uniquePrefix } from '../support/redis.js';

/**
 * The sandbox as a person uses it: Debian's Chromium, driven by playwright-core, types commands
 * into the page and clicks the buttons; the bot behind it runs against every emulator.
 */
const CHROMIUM = '/usr/bin/chromium';
const prefix = uniquePrefix('sandbox');
let sandbox: Sandbox;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM) || !canHostEdxWorker()) return;
  const redactor = new SecretRedactor();
  const logger = createLogger({
    level: 'warn',
    redactor,
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
  sandbox = await startSandbox({
    env: loadEnv({ PORT: '0', HOST: '127.0.0.1', REDIS_PREFIX: prefix }),
    catalog: loadCatalogFile('config/environments.yml'),
    logger,
    redactor,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(sandbox.url);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
  await deleteKeys(prefix);
});

async function send(text: string): Promise<void> {
  await page.fill('#command', text);
  await page.click('form#composer button[type=submit]');
}

/** The newest "Only visible to you" answer on the page, as its reader sees it. */
async function lastEphemeral(containing: string): Promise<string> {
  const answer = page.locator('.message.ephemeral', { hasText: containing }).last();
  await answer.waitFor({ timeout: 30_000 });
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText keeps the page's line breaks, as a reader sees them
  return answer.innerText();
}

describe.skipIf(!existsSync(CHROMIUM) || !canHostEdxWorker())('the sandbox in a browser', () => {
  it('shows the answers Slack shows only to the typist: help and a bad input', async () => {
    await page.selectOption('#user', 'U0REQUESTER');
    await send('/retirement help');
    expect(await lastEphemeral('/retirement setup <app> <env>')).toContain('Only visible to you');
    await send('/retirement setup edx qa');
    expect(await lastEphemeral('Unknown app')).toContain(
      'Unknown app edx. Valid apps: mitxonline, mitx, mitx-staging, xpro.',
    );
    // Another person does not see them.
    await page.selectOption('#user', 'U0STRANGER');
    await expect.poll(() => page.locator('.message.ephemeral').count()).toBe(0);
  }, 60_000);

  it('runs a qa setup from the page and shows the ack, the card and its thread, the build as a link', async () => {
    await page.selectOption('#user', 'U0REQUESTER');
    await send('/retirement setup mitxonline qa');
    expect(await lastEphemeral('queued as run')).toMatch(
      /Setup of mitxonline qa queued as run r[0-9a-z]{10}/,
    );
    await page.getByText('Succeeded: Retirement setup · mitxonline qa').first().waitFor({ timeout: 60_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText keeps the page's line breaks, as a reader sees them
    const channel = await page.innerText('#channel');
    expect(channel).toContain('✅ 1. Preflight: LMS, Vault and Concourse reachable and authorised');
    expect(channel).toContain('✅ 9. Concourse: trigger and follow the first build — Build #1');
    const build = page.locator('.thread a', { hasText: '#1' }).first();
    expect(await build.getAttribute('href')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/teams\/mitxonline\/pipelines\/misc-cloud-tubular\/jobs\/\S+\/builds\/1$/,
    );
    expect(channel).not.toContain('<http');
  }, 90_000);

  it('reads a plan as a plan', async () => {
    await page.selectOption('#user', 'U0REQUESTER');
    await send('/retirement plan mitxonline qa');
    await page
      .getByText(/Plan: 0 to change, 9 in place: Retirement plan · mitxonline qa/)
      .first()
      .waitFor({ timeout: 60_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText keeps the page's line breaks, as a reader sees them
    expect(await page.innerText('#channel')).not.toContain('Succeeded: Retirement plan');
  }, 90_000);

  it('waits for Approve on a production run, and an approver clicks it through every phase', async () => {
    await page.selectOption('#user', 'U0REQUESTER');
    await send('/retirement setup mitxonline production');
    await page.selectOption('#user', 'U0APPROVER');
    for (const [index, phase] of ['LMS changes', 'Credentials', 'Concourse changes'].entries()) {
      await page
        .getByText(`Approval needed for mitxonline production: ${phase}`)
        .waitFor({ timeout: 60_000 });
      await page.locator(`button[data-action="${ACTION_APPROVE}"]`).first().click();
      await expect
        .poll(() => page.getByText('Approved by @U0APPROVER').count(), { timeout: 30_000 })
        .toBe(index + 1);
    }
    await page
      .getByText('Succeeded: Retirement setup · mitxonline production')
      .first()
      .waitFor({ timeout: 60_000 });
  }, 180_000);

  it('shows an approver the lines a hand-edited pipeline would change back, as a diff', async () => {
    // Someone raised the job's max_in_flight with fly after the run above set the pipeline.
    const pipeline = sandbox
      .emulatorsOf('production')
      .concourse.pipelines.get('mitxonline/misc-cloud-tubular');
    if (!pipeline) throw new Error('the production run left no pipeline');
    const jobs = pipeline.config.jobs as { max_in_flight?: number }[];
    pipeline.config = { ...pipeline.config, jobs: jobs.map((job) => ({ ...job, max_in_flight: 3 })) };
    pipeline.version += 1;
    await page.selectOption('#user', 'U0REQUESTER');
    await send('/retirement setup mitxonline production');
    const approvals = page.locator('.thread .message', {
      hasText: 'Approval needed for mitxonline production: Concourse changes',
    });
    await expect.poll(() => approvals.count(), { timeout: 60_000 }).toBe(2);
    const approval = approvals.last();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText keeps the page's line breaks, as a reader sees them
    expect(await approval.innerText()).toContain('Would update mitxonline/misc-cloud-tubular.');
    // biome-ignore lint/performance/useDomNodeTextContent: as above, the code block's lines as shown
    const diff = (await approval.locator('pre').innerText()).split('\n');
    // The job is the first item of `jobs:`, max_in_flight its first key: `- max_in_flight: N`.
    expect(diff, diff.join('\n')).toEqual([
      expect.stringMatching(/^@@ /),
      expect.stringMatching(/^-[\s-]*max_in_flight: 3$/),
      expect.stringMatching(/^\+[\s-]*max_in_flight: 1$/),
    ]);
    await page.selectOption('#user', 'U0APPROVER');
    await approval.locator(`button[data-action="${ACTION_APPROVE}"]`).click();
    await expect
      .poll(() => page.getByText('Succeeded: Retirement setup · mitxonline production').count(), {
        timeout: 60_000,
      })
      .toBe(2);
    expect(pipeline.config.jobs).toEqual(jobs.map((job) => ({ ...job, max_in_flight: 1 })));
  }, 120_000);

  it('answers a status question in the channel, naming the transport', async () => {
    await send('@retirement-bot status of mitxonline production?');
    await page
      .getByText(/mitxonline production.*misc-cloud-tubular.*is active/s)
      .first()
      .waitFor({ timeout: 30_000 });
    await page
      .getByText(/LMS commands: Kubernetes exec .* \(context applications-production\)/)
      .first()
      .waitFor({ timeout: 30_000 });
  }, 60_000);

  it('runs another app over SSH to its simulated edx-worker', async () => {
    await page.selectOption('#user', 'U0REQUESTER');
    await send('/retirement setup xpro qa');
    await page.getByText('Succeeded: Retirement setup · xpro qa').first().waitFor({ timeout: 60_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText keeps the page's line breaks, as a reader sees them
    expect(await page.innerText('#channel')).toMatch(
      /Preflight: .* — SSH to edx-worker \S+@127\.0\.0\.1:\d+/,
    );
  }, 90_000);

  it('keeps a failure visible above its retry, which runs to success below it', async () => {
    const concourse = sandbox.emulatorsOf('ci').concourse;
    concourse.setBuildOutcome('failed');
    await page.selectOption('#user', 'U0REQUESTER');
    await send('/retirement setup mitxonline ci');
    const retry = page.locator(`.thread button[data-action="${ACTION_RETRY}"]`);
    await retry.waitFor({ timeout: 90_000 });
    const failure = page.locator(`.thread .message[data-ts="${await retry.getAttribute('data-ts')}"]`);
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText keeps the page's line breaks, as a reader sees them
    const reason = await failure.innerText();
    expect(reason).toMatch(
      /Build #1 of misc-cloud-tubular\/\S+ ended failed; its log in Concourse says why\./,
    );
    concourse.setBuildOutcome('succeeded');
    await retry.click();
    const card = page.locator('#channel > .message', { hasText: 'Retirement setup · mitxonline ci' });
    await card.getByText('Succeeded: Retirement setup · mitxonline ci').first().waitFor({ timeout: 90_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: as above
    const retried = await failure.innerText();
    expect(retried).toContain('ended failed; its log in Concourse says why.');
    expect(retried).toMatch(/Retried by @U0REQUESTER at .+; attempt 2 follows below\./);
    expect(await failure.locator('button').count()).toBe(0);
    // biome-ignore lint/performance/useDomNodeTextContent: as above
    const thread = await card.locator('.thread').innerText();
    const failedAt = thread.indexOf('ended failed; its log in Concourse says why.');
    const retriedAt = thread.indexOf('Retried by @U0REQUESTER');
    const rebuiltAt = thread.indexOf('✅ 9. Concourse: trigger and follow the first build — Build #2');
    expect(failedAt).toBeGreaterThanOrEqual(0);
    expect([failedAt < retriedAt, retriedAt < rebuiltAt]).toEqual([true, true]);
    // biome-ignore lint/performance/useDomNodeTextContent: as above
    expect(await card.locator('.thread .message').last().innerText()).toContain(
      '✅ Succeeded: Retirement setup · mitxonline ci',
    );
    expect(await card.locator(`button[data-action="${ACTION_RETRY}"]`).count()).toBe(0);
  }, 180_000);
});
