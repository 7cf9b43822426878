import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ManualClock } from '../../src/clock/index.ts';
import { type OAuthSandboxOptions, startOAuthSandbox } from './server.ts';
import { api, CLIENT, exchangeCode, token } from './test-client.ts';

async function start(t: TestContext, options: OAuthSandboxOptions = {}) {
  const sandbox = await startOAuthSandbox({ clients: [CLIENT], ...options });
  t.after(() => sandbox.close());
  return sandbox;
}

async function clientToken(sandbox: Awaited<ReturnType<typeof start>>): Promise<string> {
  const answer = await token(sandbox, { grant_type: 'client_credentials' });
  return answer.body.access_token as string;
}

test('/api/me refuses a missing or unknown token with a Bearer challenge', async (t) => {
  const sandbox = await start(t);
  for (const accessToken of [undefined, 'made-up']) {
    const res = await api(sandbox, 'me', accessToken);
    assert.equal(res.status, 401);
    assert.match(
      res.headers.get('www-authenticate') ?? '',
      /^Bearer realm="oauth-sandbox", error="invalid_token"/,
    );
  }
});

test('/api/items pages deterministically with an opaque cursor', async (t) => {
  const sandbox = await start(t, { itemCount: 230 });
  const accessToken = await clientToken(sandbox);
  const ids: string[] = [];
  let cursor: string | null = '';
  let pages = 0;
  while (cursor !== null) {
    const page = await api(sandbox, `items?limit=100&cursor=${encodeURIComponent(cursor)}`, accessToken);
    assert.equal(page.status, 200);
    for (const item of page.body.data as Array<{ id: string }>) ids.push(item.id);
    cursor = page.body.next_cursor as string | null;
    pages++;
  }
  assert.equal(pages, 3);
  assert.equal(ids.length, 230);
  assert.equal(new Set(ids).size, 230);
  assert.equal(ids[0], 'item_00001');
  assert.equal(ids[229], 'item_00230');

  const first = await api(sandbox, 'items', accessToken);
  assert.equal((first.body.data as unknown[]).length, 25);
  const again = await api(sandbox, 'items', accessToken);
  assert.deepEqual(again.body, first.body);

  assert.equal((await api(sandbox, 'items?cursor=bogus', accessToken)).body.error, 'invalid_cursor');
  assert.equal((await api(sandbox, 'items?limit=0', accessToken)).status, 400);
  assert.equal((await api(sandbox, 'items?limit=101', accessToken)).status, 400);
  assert.equal((await api(sandbox, 'nothing-here', accessToken)).status, 404);
});

test('/api/echo tells what it received but never the Authorization value', async (t) => {
  const sandbox = await start(t);
  const secret = 'very-secret-token-value';
  const res = await fetch(new URL('/api/echo/sub/path?a=1&b=2&b=3', sandbox.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'x-custom': 'yes', 'x-api-key': 'key-value-123' },
    body: 'hello',
  });
  const text = await res.text();
  assert.equal(res.status, 200);
  assert.doesNotMatch(text, /very-secret-token-value|key-value-123/);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.method, 'POST');
  assert.equal(body.path, '/api/echo/sub/path');
  assert.deepEqual(body.query, { a: '1', b: ['2', '3'] });
  assert.deepEqual(body.authorization, { present: true, scheme: 'Bearer' });
  const headers = body.headers as Record<string, string>;
  assert.equal(headers['x-custom'], 'yes');
  assert.equal(headers['x-api-key'], '[hidden]');
  assert.equal(headers.authorization, undefined);
  assert.deepEqual(body.body, { bytes: 5, text: 'hello' });

  const bare = await api(sandbox, 'echo');
  assert.deepEqual(bare.body.authorization, { present: false, scheme: null });
});

test('rate limit: 429 with Retry-After until a slot frees, by the injected clock', async (t) => {
  const clock = new ManualClock();
  const sandbox = await start(t, { clock, rateLimit: { requests: 3, windowSeconds: 10 } });
  const accessToken = await clientToken(sandbox);
  for (let i = 0; i < 3; i++) {
    const ok = await api(sandbox, 'me', accessToken);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('ratelimit-remaining'), String(2 - i));
    clock.advance(1000);
  }
  // Requests at 0 s, 1 s, 2 s; now 3 s: the first frees at 10 s.
  const limited = await api(sandbox, 'me', accessToken);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '7');
  assert.equal(limited.body.error, 'rate_limited');
  clock.advance(6999);
  assert.equal((await api(sandbox, 'me', accessToken)).headers.get('retry-after'), '1');
  clock.advance(1);
  assert.equal((await api(sandbox, 'me', accessToken)).status, 200);
  assert.equal((await api(sandbox, 'me', accessToken)).status, 429);

  assert.equal(sandbox.stats.tooManyRequests, 3);
  assert.equal(sandbox.stats.api.accepted, 4);
  assert.equal(sandbox.stats.maxInAnyWindow(10_000), 3);
  // Over a longer window all four accepted requests fall together.
  assert.equal(sandbox.stats.maxInAnyWindow(20_000), 4);
});

test('rate limit: unauthenticated requests do not use the budget; per-grant budgets are separate', async (t) => {
  const clock = new ManualClock();
  const sandbox = await start(t, { clock, rateLimit: { requests: 2, windowSeconds: 60, per: 'grant' } });
  const a = await clientToken(sandbox);
  const b = (await exchangeCode(sandbox)).body.access_token as string;
  assert.equal((await api(sandbox, 'me')).status, 401);
  for (const accessToken of [a, a, b, b]) assert.equal((await api(sandbox, 'me', accessToken)).status, 200);
  assert.equal((await api(sandbox, 'me', a)).status, 429);
  assert.equal((await api(sandbox, 'me', b)).status, 429);
  assert.equal(sandbox.stats.maxInAnyWindow(60_000), 4);
  const grantOfA = sandbox.stats.acceptedApiRequests[0]?.grantId;
  assert.equal(
    sandbox.stats.maxInAnyWindow(60_000, (r) => r.grantId === grantOfA),
    2,
  );

  sandbox.control.setRateLimit(null);
  assert.equal((await api(sandbox, 'me', a)).status, 200);
});

test('rate limit holds under concurrent load on the real clock', async (t) => {
  const sandbox = await start(t, { rateLimit: { requests: 20, windowSeconds: 60 } });
  const accessToken = await clientToken(sandbox);
  const answers = await Promise.all(
    Array.from({ length: 50 }, () => api(sandbox, 'items?limit=1', accessToken)),
  );
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 200).length, 20);
  assert.equal(statuses.filter((s) => s === 429).length, 30);
  assert.equal(sandbox.stats.maxInAnyWindow(60_000), 20);
  for (const answer of answers.filter((a) => a.status === 429)) {
    const retryAfter = Number(answer.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
  }
});

test('failApiRequests: 503 then 429 with Retry-After, then normal', async (t) => {
  const sandbox = await start(t);
  const accessToken = await clientToken(sandbox);
  sandbox.control.failApiRequests(1, 503);
  assert.equal((await api(sandbox, 'me', accessToken)).status, 503);
  sandbox.control.failApiRequests(1, 429, { retryAfterSeconds: 2, error: 'rate_limited' });
  const limited = await api(sandbox, 'me', accessToken);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '2');
  assert.equal(limited.body.error, 'rate_limited');
  assert.equal((await api(sandbox, 'me', accessToken)).status, 200);
  assert.equal(sandbox.stats.api.accepted, 1);
  assert.equal(sandbox.stats.tooManyRequests, 1);
});

test('extra routes mount on the same server and can check bearer tokens', async (t) => {
  const { authenticateBearer } = await import('./api.ts');
  const { sendJson } = await import('../http/respond.ts');
  const sandbox = await start(t, {
    routes: (router, ctx) => {
      router.on('GET', '/v2/user', (req, res) => {
        const auth = authenticateBearer(ctx, req, res);
        if (auth) sendJson(res, 200, { user: { id: auth.grant.subject } });
      });
    },
  });
  const accessToken = await clientToken(sandbox);
  const res = await fetch(new URL('/v2/user', sandbox.url), {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  assert.deepEqual(await res.json(), { user: { id: `client:${CLIENT.clientId}` } });
  assert.equal((await fetch(new URL('/v2/user', sandbox.url))).status, 401);
});
