/**
 * Contract with the official SDK, part 1: customers, accounts and what every endpoint shares —
 * list pagination and filters, auto-pagination, typed errors, keys and `Stripe-Account` scoping,
 * idempotency keys, rate limits and injected faults.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from './server.ts';
import { ManualClock, sdk } from './test-client.ts';

const T0 = Date.UTC(2026, 2, 1);

describe('contract: customers, errors, scoping', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  const clock = new ManualClock(T0);

  before(async () => {
    sandbox = await startStripeSandbox({ clock, rateLimit: false });
    stripe = sdk(sandbox);
  });
  after(() => sandbox.close());

  it('creates, retrieves, updates and deletes a customer', async () => {
    const created = await stripe.customers.create({
      email: 'jenny@example.com',
      name: 'Jenny Rosen',
      metadata: { plan: 'pro', seats: '3' },
      address: { line1: '1 Main St', country: 'US' },
    });
    assert.match(created.id, /^cus_/);
    assert.equal(created.object, 'customer');
    assert.equal(created.livemode, false);
    assert.equal(created.created, T0 / 1000);
    assert.deepEqual(created.address, {
      city: null,
      country: 'US',
      line1: '1 Main St',
      line2: null,
      postal_code: null,
      state: null,
    });
    assert.match(created.lastResponse.requestId, /^req_/);

    const updated = await stripe.customers.update(created.id, {
      name: 'Jenny R.',
      description: 'VIP',
      metadata: { seats: '', tier: 'gold' },
    });
    assert.equal(updated.name, 'Jenny R.');
    assert.deepEqual(updated.metadata, { plan: 'pro', tier: 'gold' });
    assert.equal((await stripe.customers.update(created.id, { description: '' })).description, null);

    const deleted = await stripe.customers.del(created.id);
    assert.deepEqual({ ...deleted }, { id: created.id, object: 'customer', deleted: true });
    const again = await stripe.customers.retrieve(created.id);
    assert.equal(again.deleted, true);
    await assert.rejects(stripe.customers.update(created.id, { name: 'x' }), { code: 'resource_missing' });
  });

  it('filters by email and created, newest first', async () => {
    clock.set(T0 + 10_000);
    const a = await stripe.customers.create({ email: 'same@example.com' });
    clock.set(T0 + 20_000);
    await stripe.customers.create({ email: 'other@example.com' });
    clock.set(T0 + 30_000);
    const c = await stripe.customers.create({ email: 'same@example.com' });
    const byEmail = await stripe.customers.list({ email: 'same@example.com' });
    assert.deepEqual(
      byEmail.data.map((customer) => customer.id),
      [c.id, a.id],
    );
    assert.equal(byEmail.url, '/v1/customers');
    assert.equal(byEmail.object, 'list');
    const since = await stripe.customers.list({ created: { gte: T0 / 1000 + 20 } });
    assert.equal(since.data.length, 2);
    const exactly = await stripe.customers.list({ created: T0 / 1000 + 10 });
    assert.deepEqual(
      exactly.data.map((customer) => customer.id),
      [a.id],
    );
  });

  it('auto-paginates with for await, and walks back with ending_before', async () => {
    const { accountId } = sandbox.control.connectAccount();
    const made: string[] = [];
    for (let i = 0; i < 23; i++) {
      made.push((await stripe.customers.create({ name: `C${i}` }, { stripeAccount: accountId })).id);
    }
    const seen: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 5 }, { stripeAccount: accountId }))
      seen.push(customer.id);
    assert.deepEqual(seen, [...made].reverse());
    const newer = await stripe.customers
      .list({ limit: 4, ending_before: made[10] as string }, { stripeAccount: accountId })
      .autoPagingToArray({ limit: 100 });
    assert.deepEqual(new Set(newer.map((customer) => customer.id)), new Set(made.slice(11)));
    const page = await stripe.customers.list(
      { limit: 3, starting_after: made[2] as string },
      { stripeAccount: accountId },
    );
    assert.deepEqual(
      page.data.map((customer) => customer.id),
      [made[1], made[0]],
    );
    assert.equal(page.has_more, false);
  });

  it('surfaces errors as the SDK typed errors, with code, param and doc_url', async () => {
    const missing = await stripe.customers.retrieve('cus_missing').catch((error: unknown) => error);
    assert.ok(missing instanceof Stripe.errors.StripeInvalidRequestError);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'resource_missing');
    assert.equal(missing.param, 'id');
    assert.equal(missing.message, "No such customer: 'cus_missing'");
    assert.equal(missing.doc_url, 'https://stripe.com/docs/error-codes/resource-missing');

    await assert.rejects(stripe.rawRequest('POST', '/v1/customers', { emial: 'x@example.com' }), {
      type: 'StripeInvalidRequestError',
      code: 'parameter_unknown',
      param: 'emial',
    });
    await assert.rejects(stripe.customers.list({ limit: 101 }), { param: 'limit', statusCode: 400 });
    await assert.rejects(stripe.customers.list({ starting_after: 'cus_nope' }), {
      code: 'resource_missing',
      param: 'starting_after',
    });
    await assert.rejects(stripe.rawRequest('GET', '/v1/nowhere', {}), {
      statusCode: 404,
      message: /^Unrecognized request URL \(GET: \/v1\/nowhere\)/,
    });
  });

  it('authenticates by bearer or basic key, and refuses bad keys with 401', async () => {
    await assert.rejects(sdk(sandbox, 'sk_test_wrong1234').customers.list(), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeAuthenticationError);
      assert.equal(error.statusCode, 401);
      assert.match(error.message, /^Invalid API Key provided: sk_test_\*+1234$/);
      return true;
    });
    const basic = await fetch(`${sandbox.url}/v1/customers?limit=1`, {
      headers: { authorization: `Basic ${Buffer.from(`${sandbox.platform.secretKey}:`).toString('base64')}` },
    });
    assert.equal(basic.status, 200);
    const none = await fetch(`${sandbox.url}/v1/customers`);
    assert.equal(none.status, 401);
    assert.match(
      ((await none.json()) as { error: { message: string } }).error.message,
      /did not provide an API key/,
    );
    const restricted = await sdk(sandbox, sandbox.platform.restrictedKey).customers.list({ limit: 1 });
    assert.equal(restricted.object, 'list');
  });

  it('scopes every object to the account named by Stripe-Account', async () => {
    const first = sandbox.control.connectAccount({ email: 'one@example.com' });
    const second = sandbox.control.connectAccount();
    const customer = await stripe.customers.create(
      { email: 'scoped@example.com' },
      { stripeAccount: first.accountId },
    );
    assert.equal(customer.lastResponse.stripeAccount, first.accountId);
    const own = await stripe.customers.retrieve(customer.id, {}, { stripeAccount: first.accountId });
    assert.equal(own.id, customer.id);
    await assert.rejects(stripe.customers.retrieve(customer.id), {
      code: 'resource_missing',
      statusCode: 404,
    });
    await assert.rejects(stripe.customers.retrieve(customer.id, {}, { stripeAccount: second.accountId }), {
      code: 'resource_missing',
    });
    const viaToken = await sdk(sandbox, first.accessToken).customers.retrieve(customer.id);
    assert.equal(viaToken.id, customer.id);
    await assert.rejects(
      stripe.customers.list({}, { stripeAccount: 'acct_1NotConnected00' }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripePermissionError);
        assert.equal(error.code, 'account_invalid');
        return true;
      },
    );
    const account = await stripe.accounts.retrieveCurrent({}, { stripeAccount: first.accountId });
    assert.equal(account.id, first.accountId);
    assert.equal(account.email, 'one@example.com');
    assert.equal((await stripe.accounts.retrieveCurrent()).id, sandbox.platform.id);
    assert.equal((await stripe.accounts.retrieve(second.accountId)).id, second.accountId);
  });
});

describe('contract: idempotency keys', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  const clock = new ManualClock(T0);

  before(async () => {
    sandbox = await startStripeSandbox({ clock, rateLimit: false });
    stripe = sdk(sandbox);
  });
  after(() => sandbox.close());

  it('replays the first answer for the same key and parameters', async () => {
    const first = await stripe.customers.create({ email: 'once@example.com' }, { idempotencyKey: 'key-1' });
    const second = await stripe.customers.create({ email: 'once@example.com' }, { idempotencyKey: 'key-1' });
    assert.equal(second.id, first.id);
    assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(second.lastResponse.idempotencyKey, 'key-1');
    assert.equal(sandbox.stats.idempotentReplays, 1);
    const list = await stripe.customers.list({ email: 'once@example.com' });
    assert.equal(list.data.length, 1);
  });

  it('refuses the same key with other parameters as an idempotency_error', async () => {
    await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'key-2' });
    await assert.rejects(
      stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'key-2' }),
      (error: unknown) => {
        assert.ok(error instanceof Stripe.errors.StripeIdempotencyError);
        assert.equal(error.statusCode, 400);
        assert.equal(error.rawType, 'idempotency_error');
        return true;
      },
    );
  });

  it('keeps keys per account, for 24 hours of the emulator clock', async () => {
    const { accountId } = sandbox.control.connectAccount();
    const mine = await stripe.customers.create({ email: 'k@example.com' }, { idempotencyKey: 'key-3' });
    const theirs = await stripe.customers.create(
      { email: 'k@example.com' },
      { idempotencyKey: 'key-3', stripeAccount: accountId },
    );
    assert.notEqual(theirs.id, mine.id);
    clock.advance(24 * 60 * 60 * 1000);
    const later = await stripe.customers.create({ email: 'k@example.com' }, { idempotencyKey: 'key-3' });
    assert.notEqual(later.id, mine.id);
  });

  it('does not save a request that failed validation, so a corrected retry works', async () => {
    await assert.rejects(
      stripe.rawRequest('POST', '/v1/customers', { emial: 'typo@example.com' }, { idempotencyKey: 'key-4' }),
      { code: 'parameter_unknown' },
    );
    const fixed = await stripe.rawRequest(
      'POST',
      '/v1/customers',
      { email: 'typo@example.com' },
      { idempotencyKey: 'key-4' },
    );
    assert.match(fixed.id, /^cus_/);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const pause = sandbox.control.pauseNext();
    const first = stripe.customers.create({ email: 'slow@example.com' }, { idempotencyKey: 'key-5' });
    await pause.reached;
    await assert.rejects(
      stripe.customers.create({ email: 'slow@example.com' }, { idempotencyKey: 'key-5' }),
      {
        statusCode: 409,
        code: 'idempotency_key_in_use',
      },
    );
    pause.release();
    const done = await first;
    const replay = await stripe.customers.create({ email: 'slow@example.com' }, { idempotencyKey: 'key-5' });
    assert.equal(replay.id, done.id);
  });
});

describe('contract: rate limits and faults', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  const clock = new ManualClock(T0);

  before(async () => {
    sandbox = await startStripeSandbox({ clock });
    stripe = sdk(sandbox);
  });
  after(() => sandbox.close());

  it("allows Stripe's test-mode 25 reads and 25 writes per second and account, then 429 rate_limit", async () => {
    for (let i = 0; i < 25; i++) await stripe.customers.list({ limit: 1 });
    const limited = await stripe.customers.list({ limit: 1 }).catch((error: unknown) => error);
    assert.ok(limited instanceof Stripe.errors.StripeRateLimitError);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.code, 'rate_limit');
    // Stripe documents no Retry-After for rate limits; its advice is exponential backoff.
    assert.equal(limited.headers?.['retry-after'], undefined);
    await stripe.customers.create({ email: 'write@example.com' });
    // Requests on behalf of a connected account count against the platform's key too.
    const { accountId, accessToken } = sandbox.control.connectAccount();
    await assert.rejects(stripe.customers.list({}, { stripeAccount: accountId }), { statusCode: 429 });
    await assert.rejects(sdk(sandbox, accessToken).customers.list(), { statusCode: 429 });
    clock.advance(1000);
    assert.equal((await stripe.customers.list({ limit: 1 })).object, 'list');
    assert.equal(sandbox.stats.tooManyRequests.planned, 3);
    sandbox.control.setRateLimit(false);
  });

  it('injects 429s and 5xx on demand, counted apart from the rate limit', async () => {
    sandbox.control.tooManyRequests(2);
    await assert.rejects(stripe.customers.list(), { statusCode: 429 });
    await assert.rejects(stripe.customers.list(), { statusCode: 429 });
    assert.equal((await stripe.customers.list()).object, 'list');
    assert.equal(sandbox.stats.tooManyRequests.injected, 2);

    sandbox.control.serverErrors(1, 503);
    await assert.rejects(stripe.customers.list(), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeAPIError);
      assert.equal(error.statusCode, 503);
      assert.equal(error.rawType, 'api_error');
      return true;
    });
    // Injected failures are transient: the SDK's own retry (same idempotency key) succeeds.
    sandbox.control.serverErrors(1);
    const retried = await sdk(sandbox, sandbox.platform.secretKey, { maxNetworkRetries: 1 }).customers.create(
      {
        email: 'retry@example.com',
      },
    );
    assert.match(retried.id, /^cus_/);
    assert.equal(sandbox.stats.serverErrors, 2);
    assert.ok((sandbox.stats.byPath['POST /v1/customers'] ?? 0) >= 2);
  });
});
