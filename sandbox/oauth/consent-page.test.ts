/**
 * The interactive consent page in a real browser (Debian's Chromium through playwright-core):
 * clicking Approve lands on the client's redirect URI with a code that the token endpoint takes.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { listen } from '../http/listen.ts';
import { sendHtml } from '../http/respond.ts';
import { startOAuthSandbox } from './server.ts';
import { pkcePair } from './test-client.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? null : `consent page browser test skipped: no ${CHROMIUM}`;
if (missing) console.log(`# ${missing}`);

test('consent page: Approve in a browser redirects with a usable code', {
  skip: missing ?? false,
}, async (t) => {
  const app = await listen((_req, res) =>
    sendHtml(res, 200, '<!doctype html><title>callback</title><p>back</p>'),
  );
  t.after(() => app.close());
  const redirectUri = `${app.origin}/callback`;
  const client = { clientId: 'browser-client', clientSecret: 'browser-secret', redirectUris: [redirectUri] };
  const sandbox = await startOAuthSandbox({ clients: [client], interactive: true });
  t.after(() => sandbox.close());

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const { verifier, challenge } = pkcePair();
  const url = new URL(sandbox.endpoints.authorize);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: redirectUri,
    state: 'browser-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  await page.goto(url.href);
  await Promise.all([
    page.waitForURL(`${redirectUri}?**`),
    page.getByRole('button', { name: 'Approve' }).click(),
  ]);

  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get('state'), 'browser-state');
  const code = landed.searchParams.get('code');
  assert.ok(code);
  const tokens = await fetch(sandbox.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  assert.equal(tokens.status, 200);
});
