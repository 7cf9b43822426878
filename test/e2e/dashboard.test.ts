/**
 * The operator dashboard in a real browser (Debian's Chromium driven by playwright-core) against
 * a seeded engine in this process: sign-in with a secret key (the key ends up in no browser
 * storage), the broken connection found from the overview in one click, a reconnect link that
 * opens the connect page, a failed sync's error readable and re-run, the records browser, and
 * every page with 0 serious or critical axe-core violations in light and dark. The seed puts
 * script tags and event handlers in end-user ids, errors and record fields: none may run, and
 * every dashboard response carries the strict CSP. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { DASHBOARD_CSP, DASHBOARD_DIST } from '../../src/api/dashboard/static.ts';
import { type DashboardWorld, startDashboardWorld } from '../support/dashboard-seed.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const missing = existsSync(CHROMIUM)
  ? null
  : `dashboard browser test skipped: no ${CHROMIUM} (apt-get install chromium)`;
if (missing && process.env.CI === 'true') throw new Error(`${missing}; CI must run it`);
if (missing) console.log(`# ${missing}`);

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Browser-side expressions are strings: the project's types have no DOM library.
const AXE_RUN = `axe.run(document, { resultTypes: ['violations'] }).then((result) =>
  result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, impact: violation.impact, targets: violation.nodes.map((node) => node.target.join(' ')) })))`;

describe('operator dashboard in a browser', { skip: missing ?? false }, () => {
  let world: DashboardWorld;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const checkedPages: string[] = [];

  before(async () => {
    // The engine serves the repository's build; a checkout that skipped `npm install` builds it here.
    if (!existsSync(new URL('index.html', `file://${DASHBOARD_DIST}`))) {
      execFileSync(process.execPath, ['scripts/build-dashboard.ts'], { stdio: 'inherit' });
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    world = await startDashboardWorld();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await world?.patchbay.stop();
    await world?.receiver.close();
  });

  const url = (path: string) => `${world.patchbay.baseUrl}/dashboard${path}`;

  /** axe-core on the page as it is now, in both themes; screenshots of each. */
  async function audit(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // Evaluated through the DevTools protocol, which the page's CSP does not govern.
      await page.evaluate(AXE_SOURCE);
      const violations = (await page.evaluate(AXE_RUN)) as unknown[];
      assert.deepEqual(violations, [], `${name} (${scheme}): serious or critical axe violations`);
      await page.screenshot({
        path: new URL(`dashboard-${name}-${scheme}.png`, ARTIFACTS).pathname,
        fullPage: true,
      });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    checkedPages.push(name);
  }

  it('asks for a session, serves the app with a strict CSP, and signs in with a key it does not keep', async () => {
    const response = await page.goto(url('/'));
    assert.equal(response?.status(), 200);
    assert.equal(response?.headers()['content-security-policy'], DASHBOARD_CSP);
    await page.getByLabel('Secret API key of an environment').waitFor();
    await audit('sign-in');

    await page.getByLabel('Secret API key of an environment').fill('pb_sk_dev_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Sign-in failed').waitFor();

    await page.getByLabel('Secret API key of an environment').fill(world.patchbay.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    const [cookie] = (await context.cookies()).filter((candidate) => candidate.name === 'pb_dashboard');
    assert.ok(cookie, 'a session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    const stored = (await page.evaluate(
      'JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])',
    )) as string;
    assert.ok(!stored.includes(world.patchbay.apiKey), 'the key is in no browser storage');
    assert.ok(!stored.includes('pb_ds_'), 'the session token is not readable by scripts');
  });

  it('finds the broken connection from the overview in one click, and repairs it', async () => {
    const attention = page.getByRole('region', { name: 'Connections needing attention' });
    await attention.getByRole('link', { name: 'customer-reauth_required' }).waitFor();
    await page.getByRole('region', { name: 'Queue' }).getByText('Oldest waiting').waitFor();
    await audit('overview');
    await attention.getByRole('link', { name: 'customer-reauth_required' }).click();
    await page.getByRole('heading', { name: 'gumroad for customer-reauth_required' }).waitFor();
    assert.match(page.url(), new RegExp(`/dashboard/connections/${world.connections.reauth_required}$`));
    await page.getByText('Gumroad refused the refresh token: the customer must reconnect').waitFor();
    const facts = (await page.getByRole('region', { name: 'Connection' }).textContent()) ?? '';
    assert.ok(!facts.includes('token-reauth_required'), 'no credential is shown');
    await page.getByRole('heading', { name: 'Records' }).waitFor();
    await page.getByText('prod_0', { exact: true }).waitFor();
    await audit('connection');

    await page.getByRole('button', { name: 'Create reconnect link' }).click();
    const link = page.getByRole('link', { name: 'reconnect link' });
    await link.waitFor();
    const href = await link.getAttribute('href');
    assert.ok(href, 'the reconnect link has an address');
    const connectPage = await fetch(href);
    assert.equal(connectPage.status, 200, 'the reconnect link opens the connect page');

    // A record's fields are shown as text, script tags and all.
    await page.getByText('prod_0', { exact: true }).click();
    await page.getByText('<script>window.__xss = \\"record\\"</script>', { exact: false }).waitFor();
  });

  it('lists connections by status and end user, linkable by URL', async () => {
    await page
      .getByRole('navigation', { name: 'Dashboard' })
      .getByRole('link', { name: 'Connections' })
      .click();
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await page.getByLabel('Status').selectOption('error');
    await page.waitForURL(/status=error/);
    // The hostile end-user id is displayed as text.
    await page.getByRole('link', { name: '<script>window.__xss = "end user"</script>' }).waitFor();
    assert.equal(await page.getByRole('row').count(), 2, 'the header and one connection');
    await audit('connections');
    await page.goto(url('/connections?endUserId=customer-active'));
    await page.getByRole('link', { name: 'customer-active' }).waitFor();
    assert.equal(await page.getByRole('row').count(), 2);
  });

  it('shows a failed sync’s error in full, and re-runs it', async () => {
    await page.goto(url('/sync-runs?status=failed'));
    await page.getByRole('link', { name: world.failedRunId }).click();
    await page.getByRole('heading', { name: /Sync run of sales/ }).waitFor();
    const error = page.getByRole('region', { name: 'Error' });
    await error.getByText('provider_unreachable').waitFor();
    assert.equal(
      await error.locator('.error-message').textContent(),
      'Gumroad answered 502 <svg onload="window.__xss = \'sync error\'"></svg> for /v2/sales',
    );
    await audit('sync-run');
    await page.getByRole('button', { name: /Re-run sales/ }).click();
    await page.getByText(/Queued|Already queued|Something failed/).waitFor();
    await page.screenshot({
      path: new URL('dashboard-sync-run-rerun.png', ARTIFACTS).pathname,
      fullPage: true,
    });
    assert.equal(
      await page.getByText(/Something failed/).count(),
      0,
      (await page.locator('main').textContent()) ?? '',
    );
    await page.goto(url('/sync-runs'));
    await page.getByRole('heading', { name: 'Sync runs' }).waitFor();
    await audit('sync-runs');
  });

  it('shows an unrouted inbound event’s payload as text, and reprocesses it', async () => {
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Inbound' }).click();
    await page.getByLabel('Status').selectOption('unrouted');
    await page.waitForURL(/status=unrouted/);
    await audit('inbound-events');
    await page.getByRole('link', { name: world.unroutedEventId }).click();
    await page.getByText('no connection (unrouted)').waitFor();
    await page.getByText('<iframe src=\\"javascript:window.__xss', { exact: false }).waitFor();
    await audit('inbound-event');
    await page.getByRole('button', { name: 'Reprocess this event' }).click();
    await page.getByText(/Reprocessed: now \w+/).waitFor();
  });

  it('resends an endpoint’s failed message, which then shows success', async () => {
    await page
      .getByRole('navigation', { name: 'Dashboard' })
      .getByRole('link', { name: 'Endpoints' })
      .click();
    await page.getByRole('link', { name: world.receiver.url }).click();
    await page.getByRole('heading', { name: 'Recent messages' }).waitFor();
    await audit('endpoint');
    await page.getByRole('link', { name: world.failedMessageId }).click();
    await page.getByRole('cell', { name: /HTTP 500/ }).waitFor();
    await audit('message');
    await page.getByRole('button', { name: 'Resend now' }).click();
    await page.getByRole('heading', { name: /order\.shipped\s+succeeded/ }).waitFor();
    // The resend, and possibly the scheduled retry racing it, both reach the now healthy receiver.
    await page
      .getByRole('cell', { name: /HTTP 200/ })
      .first()
      .waitFor();
    await page.screenshot({
      path: new URL('dashboard-message-resent.png', ARTIFACTS).pathname,
      fullPage: true,
    });
    await page.goto(url('/messages'));
    await page.getByRole('heading', { name: 'Outbound messages' }).waitFor();
    await audit('messages');
  });

  it('rotates an endpoint’s secret and shows the grace period', async () => {
    await page.goto(url(`/endpoints/${world.endpointId}`));
    await page.getByLabel('Old secret keeps signing for').selectOption('3600');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText(/Grace period: deliveries are signed with both secrets until/).waitFor();
    assert.equal(await page.getByText(/whsec_/).count(), 0, 'the secret is shown only on request');
    await page.getByRole('button', { name: 'Reveal the new secret' }).click();
    await page.getByText(/whsec_/).waitFor();
    await page.screenshot({
      path: new URL('dashboard-endpoint-rotated.png', ARTIFACTS).pathname,
      fullPage: true,
    });
    await page.goto(url('/endpoints'));
    await page.getByRole('heading', { name: 'Outbound endpoints' }).waitFor();
    await audit('endpoints');
  });

  it('ran none of the seeded scripts and broke no CSP rule on any page', async () => {
    assert.ok(checkedPages.length >= 12, `pages checked: ${checkedPages.join(', ')}`);
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    assert.deepEqual(cspViolations, []);
    assert.deepEqual(pageErrors, []);
  });

  it('signs out: the session ends and the API refuses the old cookie', async () => {
    const [before] = (await context.cookies()).filter((candidate) => candidate.name === 'pb_dashboard');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Secret API key of an environment').waitFor();
    const response = await fetch(`${world.patchbay.baseUrl}/v1/connections`, {
      headers: { cookie: `pb_dashboard=${before?.value}` },
    });
    assert.equal(response.status, 401);
  });
});
