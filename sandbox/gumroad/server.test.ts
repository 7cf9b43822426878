import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock/index.ts';
import { pkcePair } from '../oauth/test-client.ts';
import { GUMROAD_PAGE_SIZE, type GumroadSandbox, startGumroadSandbox } from './server.ts';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function get(sandbox: GumroadSandbox, path: string, token?: string): Promise<Answer> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${sandbox.url}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

type Sale = Record<string, unknown> & { id: string; created_at: string };

/** Follows next_page_key to the end; returns every sale and the number of pages. */
async function listAll(
  sandbox: GumroadSandbox,
  token: string,
  query = '',
): Promise<{ sales: Sale[]; pages: number }> {
  const sales: Sale[] = [];
  let pages = 0;
  let key: string | undefined;
  do {
    const params = new URLSearchParams(query);
    if (key) params.set('page_key', key);
    const page = await get(sandbox, `/v2/sales?${params}`, token);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.equal(page.body.success, true);
    sales.push(...(page.body.sales as Sale[]));
    pages++;
    key = page.body.next_page_key as string | undefined;
    if (key) assert.equal(page.body.next_page_url, `/v2/sales?${withKey(query, key)}`);
    else assert.equal(page.body.next_page_url, undefined);
  } while (key);
  return { sales, pages };
}

function withKey(query: string, key: string): string {
  const params = new URLSearchParams(query);
  params.set('page_key', key);
  return params.toString();
}

describe('gumroad sandbox', () => {
  let sandbox: GumroadSandbox;
  let token: string;
  const clock = new ManualClock(Date.UTC(2026, 0, 10));

  before(async () => {
    sandbox = await startGumroadSandbox({ sales: 95, products: 4, rateLimit: false, clock });
    token = sandbox.issueAccessToken();
  });
  after(() => sandbox.close());

  it("pages through every sale exactly once, newest first, with Gumroad's page size", async () => {
    const { sales, pages } = await listAll(sandbox, token);
    assert.equal(GUMROAD_PAGE_SIZE, 10);
    assert.equal(pages, 10);
    assert.equal(sales.length, 95);
    assert.equal(new Set(sales.map((sale) => sale.id)).size, 95);
    for (let i = 1; i < sales.length; i++) {
      assert.ok((sales[i - 1] as Sale).created_at >= (sales[i] as Sale).created_at);
    }
    assert.deepEqual(sales[0], sandbox.sale(94));
    assert.deepEqual(sales[94], sandbox.sale(0));
  });

  it("serves sales with Gumroad's field names", async () => {
    const page = await get(sandbox, '/v2/sales', token);
    const sale = (page.body.sales as Sale[])[0] as Sale;
    for (const field of [
      'id',
      'email',
      'seller_id',
      'created_at',
      'product_id',
      'product_name',
      'product_permalink',
      'price',
      'gumroad_fee',
      'formatted_display_price',
      'currency_symbol',
      'refunded',
      'partially_refunded',
      'chargedback',
      'disputed',
      'order_id',
      'purchase_email',
      'is_recurring_billing',
      'quantity',
      'card',
    ]) {
      assert.ok(field in sale, `missing ${field}`);
    }
    assert.equal(typeof sale.price, 'number');
    assert.equal(typeof sale.order_id, 'number');
  });

  it('filters by after (inclusive), before (exclusive), product_id, email and order_id', async () => {
    // 95 sales from 2024-01-01 to 2025-12-31: about one a week.
    const all = (await listAll(sandbox, token)).sales;
    const inRange = all.filter(
      (s) => s.created_at >= '2024-06-01' && s.created_at < '2024-09-01T00:00:00.000Z',
    );
    const filtered = (await listAll(sandbox, token, 'after=2024-06-01&before=2024-09-01')).sales;
    assert.ok(inRange.length > 5);
    assert.deepEqual(filtered, inRange);
    const first = (await listAll(sandbox, token, 'after=2024-01-01')).sales;
    assert.equal(first.length, 95);
    const none = (await listAll(sandbox, token, 'before=2024-01-01')).sales;
    assert.equal(none.length, 0);

    const productId = all[3]?.product_id as string;
    const byProduct = (await listAll(sandbox, token, `product_id=${encodeURIComponent(productId)}`)).sales;
    assert.deepEqual(
      byProduct,
      all.filter((s) => s.product_id === productId),
    );
    const email = all[5]?.email as string;
    const byEmail = (await listAll(sandbox, token, `email=${encodeURIComponent(email)}`)).sales;
    assert.deepEqual(
      byEmail,
      all.filter((s) => s.email === email),
    );
    const order = (await get(sandbox, `/v2/sales?order_id=${all[7]?.order_id}`, token)).body.sales as Sale[];
    assert.deepEqual(order, [all[7]]);
  });

  it("answers bad parameters with Gumroad's 400 body", async () => {
    const cases: Array<[string, string]> = [
      [
        'after=2024-13-01',
        "Invalid date format provided in field 'after'. Dates must be in the format YYYY-MM-DD.",
      ],
      [
        'before=yesterday',
        "Invalid date format provided in field 'before'. Dates must be in the format YYYY-MM-DD.",
      ],
      ['page_key=20240101000000000000-12345', 'Invalid page_key.'],
      ['page_key=garbage', 'Invalid page_key.'],
      ['product_id=nope', 'Invalid product ID.'],
      ['order_id=12ab', 'Invalid order ID.'],
    ];
    for (const [query, message] of cases) {
      const answer = await get(sandbox, `/v2/sales?${query}`, token);
      assert.equal(answer.status, 400, query);
      assert.deepEqual(answer.body, { status: 400, error: message });
    }
  });

  it('lists products unpaginated, with sales totals only for tokens that may read sales', async () => {
    const withSales = await get(sandbox, '/v2/products', token);
    assert.equal(withSales.status, 200);
    const products = withSales.body.products as Array<Record<string, unknown>>;
    assert.equal(products.length, 4);
    assert.equal(
      products.reduce((sum, p) => sum + (p.sales_count as number), 0),
      95,
    );
    assert.deepEqual(
      products.map((p) => p.id),
      sandbox.productIds(),
    );
    const profileOnly = sandbox.issueAccessToken(['view_profile']);
    const plain = await get(sandbox, '/v2/products', profileOnly);
    assert.equal(plain.status, 200);
    assert.equal('sales_count' in ((plain.body.products as object[])[0] as object), false);
    const user = await get(sandbox, '/v2/user', profileOnly);
    assert.equal((user.body.user as Record<string, unknown>).email, 'creator@example.com');
  });

  it('refuses missing, unknown and revoked tokens with 401, and sales without view_sales with 403', async () => {
    const none = await get(sandbox, '/v2/sales');
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { success: false, message: 'The access token is invalid.' });
    assert.match(none.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assert.equal((await get(sandbox, '/v2/user', 'not-a-token')).status, 401);
    const viaQuery = await fetch(`${sandbox.url}/v2/user?access_token=${encodeURIComponent(token)}`);
    assert.equal(viaQuery.status, 200);
    await viaQuery.body?.cancel();

    const forbidden = await get(sandbox, '/v2/sales', sandbox.issueAccessToken(['view_profile']));
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.success, false);

    const doomed = sandbox.issueAccessToken();
    sandbox.oauth.control.revokeAll();
    const revoked = await get(sandbox, '/v2/user', doomed);
    assert.equal(revoked.status, 401);
    assert.deepEqual(revoked.body, { success: false, message: 'The access token was revoked.' });
    token = sandbox.issueAccessToken();
  });

  it('issues tokens without expiry at /oauth/authorize and /oauth/token', async () => {
    sandbox.oauth.control.addClient({
      clientId: 'app',
      clientSecret: 'app-secret',
      redirectUris: ['http://127.0.0.1:4400/cb'],
    });
    const { verifier, challenge } = pkcePair();
    const authorize = new URL(sandbox.endpoints.authorize);
    for (const [key, value] of Object.entries({
      response_type: 'code',
      client_id: 'app',
      redirect_uri: 'http://127.0.0.1:4400/cb',
      scope: 'view_sales',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })) {
      authorize.searchParams.set(key, value);
    }
    assert.equal(new URL(sandbox.endpoints.authorize).pathname, '/oauth/authorize');
    const redirect = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const res = await fetch(sandbox.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:4400/cb',
        client_id: 'app',
        client_secret: 'app-secret',
        code_verifier: verifier,
      }),
    });
    const tokens = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200);
    assert.equal(tokens.expires_in, undefined);
    assert.equal((await get(sandbox, '/v2/sales', tokens.access_token as string)).status, 200);
  });

  it('moves to a revision where exactly 1 % of sales differ, and back', async () => {
    const big = await startGumroadSandbox({
      sales: 500,
      products: 3,
      pageSize: 100,
      rateLimit: false,
      clock,
    });
    try {
      const bigToken = big.issueAccessToken();
      const original = (await listAll(big, bigToken)).sales;
      big.control.setRevision(1);
      assert.equal(big.control.revision, 1);
      const revised = (await listAll(big, bigToken)).sales;
      const differing = revised.filter((sale, i) => JSON.stringify(sale) !== JSON.stringify(original[i]));
      assert.equal(differing.length, 5);
      assert.ok(differing.every((sale) => sale.refunded === true || sale.partially_refunded === true));
      big.control.setRevision(0);
      assert.deepEqual((await listAll(big, bigToken)).sales, original);
    } finally {
      await big.close();
    }
  });

  it('adds sales now and deletes products at runtime', async () => {
    const small = await startGumroadSandbox({ sales: 20, products: 3, rateLimit: false, clock });
    try {
      const smallToken = small.issueAccessToken();
      const ids = small.control.addSales(3);
      assert.equal(small.saleCount, 23);
      const recent = (await listAll(small, smallToken, 'after=2026-01-10')).sales;
      assert.deepEqual(
        recent.map((sale) => sale.id),
        [...ids].reverse(),
      );
      assert.equal(recent[0]?.created_at, new Date(clock.now()).toISOString());
      const [gone] = small.productIds();
      small.control.deleteProduct(gone as string);
      const products = (await get(small, '/v2/products', smallToken)).body.products as Array<{ id: string }>;
      assert.deepEqual(
        products.map((p) => p.id),
        small.productIds(),
      );
      assert.equal(products.length, 2);
      assert.throws(() => small.control.deleteProduct(gone as string), /no product/);
    } finally {
      await small.close();
    }
  });

  it('serves 1,000,000 sales from their index: the newest page and a one-day window', async () => {
    const huge = await startGumroadSandbox({
      sales: 1_000_000,
      products: 50,
      pageSize: 1000,
      rateLimit: false,
      clock,
    });
    try {
      const hugeToken = huge.issueAccessToken();
      const first = await get(huge, '/v2/sales', hugeToken);
      assert.equal((first.body.sales as Sale[]).length, 1000);
      assert.deepEqual((first.body.sales as Sale[])[0], huge.sale(999_999));
      // A day of a 2-year timeline of a million sales holds about 1,370 sales: two pages.
      const day = (await listAll(huge, hugeToken, 'after=2025-03-01&before=2025-03-02')).sales;
      const span = Date.UTC(2025, 11, 31) - Date.UTC(2024, 0, 1);
      const at = (i: number) => Date.UTC(2024, 0, 1) + Math.floor((i * span) / 999_999);
      let expected = 0;
      for (let i = 0; i < 1_000_000; i++) {
        const t = at(i);
        if (t >= Date.UTC(2025, 2, 1) && t < Date.UTC(2025, 2, 2)) expected++;
      }
      assert.equal(day.length, expected);
      assert.equal(new Set(day.map((s) => s.id)).size, expected);
    } finally {
      await huge.close();
    }
  });
});

describe('gumroad sandbox faults and rate limit', () => {
  let sandbox: GumroadSandbox;
  let token: string;
  const clock = new ManualClock(Date.UTC(2026, 0, 10));

  before(async () => {
    sandbox = await startGumroadSandbox({ sales: 30, products: 2, clock });
    token = sandbox.issueAccessToken();
  });
  after(() => sandbox.close());

  it("limits to Gumroad's 120 requests a minute by default, with Retry-After", async () => {
    for (let i = 0; i < 120; i++) assert.equal((await get(sandbox, '/v2/user', token)).status, 200);
    const limited = await get(sandbox, '/v2/user', token);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '60');
    assert.equal(limited.body.success, false);
    assert.equal(sandbox.stats.rateLimited, 1);
    clock.advance(60_000);
    assert.equal((await get(sandbox, '/v2/user', token)).status, 200);
    sandbox.control.setRateLimit(null);
  });

  it('answers a burst of 429s and 500s, then recovers', async () => {
    sandbox.stats.reset();
    sandbox.control.faults.tooManyRequests(2, 7);
    sandbox.control.faults.serverErrors(1);
    const first = await get(sandbox, '/v2/sales', token);
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '7');
    assert.equal((await get(sandbox, '/v2/sales', token)).status, 429);
    assert.equal((await get(sandbox, '/v2/sales', token)).status, 500);
    assert.equal((await get(sandbox, '/v2/sales', token)).status, 200);
    assert.deepEqual(sandbox.stats.injected, {
      tooManyRequests: 2,
      serverErrors: 1,
      delayed: 0,
      truncated: 0,
    });
    assert.equal(sandbox.stats.requests, 4);
    assert.equal(sandbox.stats.ok, 1);
  });

  it('cuts list bodies mid-array with valid headers', async () => {
    sandbox.control.faults.truncate(2);
    for (const path of ['/v2/sales', '/v2/products']) {
      const res = await fetch(`${sandbox.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(text));
      assert.match(text, /^\{"success":true,"(sales|products)":\[/);
      assert.throws(() => JSON.parse(text), SyntaxError);
    }
    assert.equal(sandbox.control.faults.pending.truncated, 0);
    assert.equal((await get(sandbox, '/v2/sales', token)).status, 200);
  });

  it('delays the next requests past a client timeout', async () => {
    sandbox.control.faults.delay(1, 60_000);
    await assert.rejects(
      fetch(`${sandbox.url}/v2/sales`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(50),
      }),
      (error: Error) => error.name === 'TimeoutError',
    );
    assert.equal(sandbox.control.faults.pending.delayed, 0);
    assert.equal((await get(sandbox, '/v2/sales', token)).status, 200);
    sandbox.control.faults.delay(3, 60_000);
    sandbox.control.faults.clear();
    assert.equal((await get(sandbox, '/v2/sales', token)).status, 200);
  });
});
