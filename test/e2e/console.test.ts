/**
 * The console in a real Chromium against a real stack in this process: the demo marketplace, the
 * gateway in front of it (real clock, SQLite events in a temp dir) and its admin listener, with
 * traffic flowing the whole time. An operator logs in, watches traffic appear, reads the report,
 * blocks a source and sees its next request blocked, and opens the explanation of that block.
 * Screenshots of each page go to test-output/console/ (gitignored), for people to look at.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicyPath, loadPolicyFile } from '../../src/config/load.js';
import { type Marketplace, startMarketplace } from '../../src/demo/marketplace.js';
import { generateDemoUsers } from '../../src/demo/users.js';
import { silentLogger } from '../../src/gateway/logger.js';
import { type RunningGateway, startGateway } from '../../src/gateway/start.js';
import { HAS_CHROMIUM, launchChromium } from '../support/chromium.js';
import { CHROME } from '../support/stack.js';
import { dayOfHistory } from './console-history.js';
import { ConsoleTraffic, QUIET_VISITOR } from './console-traffic.js';

const TOKEN = 'console-e2e-token-0123456789abcdef';
const SHOTS = join(process.cwd(), 'test-output', 'console');

let dir: string;
let marketplace: Marketplace;
let gateway: RunningGateway;
let traffic: ConsoleTraffic;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-console-'));
  await mkdir(SHOTS, { recursive: true });
  const users = generateDemoUsers(60);
  marketplace = await startMarketplace({ users });
  const base = await loadPolicyFile(defaultPolicyPath());
  gateway = await startGateway(
    {
      ...base,
      listen: '127.0.0.1:0',
      admin: { listen: '127.0.0.1:0', token: TOKEN },
      upstream: { ...base.upstream, url: marketplace.url },
      trustedProxies: ['127.0.0.1'],
      secret: 'console-e2e-secret-0123456789abcdef',
      events: { ...base.events, sqlite: join(dir, 'events.db') },
    },
    { logger: silentLogger },
  );
  // A day of history first (recorded as the gateway records), so charts and report have a past.
  for (const event of dayOfHistory(Date.now())) gateway.recorder.record(event);
  await gateway.recorder.flush();
  traffic = new ConsoleTraffic(gateway.gatewayUrl, users);
  traffic.start();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await traffic?.stop();
  await gateway?.close();
  await marketplace?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_CHROMIUM)('the console', () => {
  it('logs in with the admin token into an HttpOnly, SameSite=Strict session', async () => {
    await page.goto(`${gateway.adminUrl}/console/`);
    await page.getByLabel('Admin token').fill('wrong-token-wrong-token');
    await page.getByLabel(/Your name/).fill('Dana (security on call)');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('that is not the admin token').waitFor();

    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'botgate_session', httpOnly: true, sameSite: 'Strict' });
    expect(await page.locator('.operator').textContent()).toBe('Dana (security on call)');
  });

  it('shows traffic by decision appear while requests flow through the gateway', async () => {
    // The live totals grow as people (allowed) and the stuffing tool (blocked) keep sending.
    await page.locator('.chart-svg rect.bar').first().waitFor({ timeout: 15_000 });
    const allowed = await legendTotal(page, 'Allowed');
    const blocked = await legendTotal(page, 'Blocked');
    await expect.poll(() => legendTotal(page, 'Allowed'), { timeout: 15_000 }).toBeGreaterThan(allowed);
    await expect.poll(() => legendTotal(page, 'Blocked'), { timeout: 15_000 }).toBeGreaterThan(blocked);
    await page.locator('.card', { hasText: 'Latest stopped requests' }).locator('tbody tr').first().waitFor();
    await page
      .locator('.card', { hasText: 'Top sources, last hour' })
      .locator('tbody tr')
      .first()
      .waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
  }, 60_000);

  it('shows the report in business terms', async () => {
    await page.getByRole('link', { name: 'Report' }).click();
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    const challenges = page.locator('.kpi', { hasText: 'Challenges vs. a CAPTCHA on every login' });
    await challenges.waitFor();
    await expect.poll(async () => (await challenges.locator('.kpi-value').textContent()) ?? '').toMatch(/^−\d/);
    await page
      .locator('.card', { hasText: 'Attack attempts by threat' })
      .getByText('Credential stuffing')
      .first()
      .waitFor();
    expect(
      await page.locator('.kpi', { hasText: 'Estimated losses avoided' }).locator('.kpi-value').textContent(),
    ).toMatch(/\$/);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
  }, 30_000);

  it('blocks a source in one click, and its next request is blocked', async () => {
    await page.getByRole('link', { name: 'Top sources' }).click();
    await page.getByRole('button', { name: 'By requests' }).click();
    const row = page.locator('tr', { hasText: QUIET_VISITOR });
    await row.waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, 'sources.png'), fullPage: true });
    await row.getByRole('button', { name: 'Block' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('For').selectOption('24h');
    await dialog.getByLabel(/Why/).fill('e2e: scraping listings from one address');
    await dialog.getByRole('button', { name: 'Block' }).click();
    await page.getByText(`Blocked ${QUIET_VISITOR} until`).waitFor();

    const next = await traffic.send(QUIET_VISITOR, 'GET', '/listings/1', CHROME);
    expect(next.status).toBe(403);
    const explained = (await (
      await request(`${gateway.adminUrl}/api/events/${next.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).body.json()) as { event: { decidedBy: string }; explanation: { findings: { detail: string }[] } };
    expect(explained.event.decidedBy).toBe('list/manual-block');
    expect(explained.explanation.findings[0]?.detail).toContain('by Dana (security on call)');
    await row.getByText('Blocked', { exact: true }).waitFor({ timeout: 20_000 });
  }, 45_000);

  it('finds the blocked request and explains it', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Search events').fill(QUIET_VISITOR);
    await page.getByLabel('Action').selectOption('block');
    await page.getByRole('button', { name: 'Search' }).click();
    const first = page.locator('tbody tr.clickable').first();
    await expect.poll(async () => page.locator('tbody tr.clickable').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await first.click();
    await page.getByRole('heading', { name: 'Why this decision' }).waitFor();
    await page.getByText('An operator blocked this source from the console or the admin API.').waitFor();
    await page.locator('.card', { hasText: 'Findings' }).getByText('list.manual-block').waitFor();
    await page.locator('.card', { hasText: 'Signals' }).getByText(QUIET_VISITOR).waitFor();
    await page.screenshot({ path: join(SHOTS, 'explain.png'), fullPage: true });

    await page.getByRole('link', { name: 'Block & allow' }).click();
    await page
      .locator('.card', { hasText: 'Audit trail' })
      .getByText('e2e: scraping listings from one address')
      .first()
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'lists.png'), fullPage: true });
  }, 30_000);

  it('removes the entry, with a reason, and the source gets through again', async () => {
    await page.locator('.card', { hasText: 'Active entries' }).getByRole('button', { name: 'Remove' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/Why/).fill('e2e: false alarm');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.locator('.card', { hasText: 'Audit trail' }).getByText('e2e: false alarm').waitFor();
    expect((await traffic.send(QUIET_VISITOR, 'GET', '/listings/2', CHROME)).status).toBe(200);
  }, 20_000);

  it('ran under its Content-Security-Policy without a single error', () => {
    expect(pageErrors.filter((e) => !e.includes('401') && !e.includes('Failed to load resource'))).toEqual([]);
    expect(traffic.sent).toBeGreaterThan(100);
  });
});

async function legendTotal(page: Page, label: string): Promise<number> {
  const text = await page.locator('.legend-item', { hasText: label }).locator('.legend-total').first().textContent();
  return Number((text ?? '0').replace(/[^\d]/g, ''));
}
