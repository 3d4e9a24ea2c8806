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
import { ACTION_APPROVE } from '../../src/slack/actions/action-ids.js';
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
});
