/**
 * The Whop emulator driven by the official `@whop/sdk`: its cursor pages walk with the SDK's
 * auto-pagination, its answers are what the SDK's types say, its errors become the SDK's error
 * classes, and its webhook deliveries unwrap with the SDK's own `webhooks.unwrap` (Standard
 * Webhooks, keyed as Whop's docs say: `btoa(secret)`).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Whop, { AuthenticationError, NotFoundError, PermissionDeniedError, RateLimitError } from '@whop/sdk';
import { startWhopSandbox, type WhopSandbox } from './server.ts';

interface Received {
  body: string;
  headers: IncomingMessage['headers'];
}

describe('Whop emulator, driven by @whop/sdk', () => {
  let sandbox: WhopSandbox;
  let whop: Whop;
  const received: Received[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.end('ok');
    });
  });
  let receiverUrl = '';

  before(async () => {
    sandbox = await startWhopSandbox({ rateLimit: false, seed: { products: 3, memberships: 25 } });
    whop = new Whop({ apiKey: sandbox.apiKey, baseURL: sandbox.url, maxRetries: 0 });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await sandbox?.close();
    receiver.close();
  });

  it('walks every membership page with the SDK', async () => {
    const ids: string[] = [];
    for await (const membership of whop.memberships.list({ company_id: sandbox.companyId, first: 10 })) {
      ids.push(membership.id);
      assert.match(membership.id, /^mem_/);
      assert.match(membership.plan.id, /^plan_/);
    }
    assert.equal(ids.length, 25);
    assert.equal(new Set(ids).size, 25);
    // Three pages, then the empty one the SDK asks for: it follows end_cursor without reading has_next_page.
    assert.equal(sandbox.control.requests.get('GET /memberships'), 4);
  });

  it('lists products and plans by account and payments by company', async () => {
    const products = await whop.products.list({ account_id: sandbox.companyId });
    assert.equal(products.data.length, 3);
    const plans = [];
    for await (const plan of whop.plans.list({ account_id: sandbox.companyId })) plans.push(plan);
    assert.equal(plans.length, 3);
    assert.ok(plans.every((plan) => plan.plan_type === 'renewal' && plan.billing_period === 30));
    const payments = [];
    for await (const payment of whop.payments.list({ company_id: sandbox.companyId, first: 50 })) {
      payments.push(payment);
    }
    assert.equal(payments.length, 25);
    assert.ok(payments.every((payment) => payment.status === 'paid'));
  });

  it('cancels, uncancels and extends a membership', async () => {
    const [first, second] = sandbox.control.company.memberships;
    assert.ok(first && second);
    const later = await whop.memberships.cancel(first.id, { cancellation_mode: 'at_period_end' });
    assert.equal(later.cancel_at_period_end, true);
    assert.equal(later.status, 'active');
    const back = await whop.memberships.uncancel(first.id);
    assert.equal(back.cancel_at_period_end, false);
    const now = await whop.memberships.cancel(second.id, { cancellation_mode: 'immediate' });
    assert.equal(now.status, 'canceled');
    const before = Date.parse(first.renewal_period_end ?? '');
    const extended = await whop.memberships.addFreeDays(first.id, { free_days: 7 });
    assert.equal(Date.parse(extended.renewal_period_end ?? '') - before, 7 * 86_400_000);
    const fetched = await whop.memberships.retrieve(second.id);
    assert.equal(fetched.status, 'canceled');
  });

  it('answers its errors as the SDK’s error classes', async () => {
    await assert.rejects(whop.memberships.retrieve('mem_doesnotexist0'), NotFoundError);
    await assert.rejects(whop.products.list({ account_id: 'biz_someoneelse00' }), PermissionDeniedError);
    const stranger = new Whop({ apiKey: 'apik_wrong', baseURL: sandbox.url, maxRetries: 0 });
    await assert.rejects(stranger.memberships.list({ company_id: sandbox.companyId }), AuthenticationError);
    sandbox.control.faults.tooManyRequests(1, 12);
    await assert.rejects(whop.memberships.list({ company_id: sandbox.companyId }), (error: unknown) => {
      assert.ok(error instanceof RateLimitError);
      assert.deepEqual(error.error, {
        error: { type: 'rate_limit_exceeded', message: 'Try again in 12 seconds.' },
      });
      return true;
    });
  });

  it('keeps to 600 requests per minute per operation', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const limited = await startWhopSandbox({
      rateLimit: { requests: 2, windowSeconds: 60 },
      now: () => new Date(clock),
    });
    try {
      const client = new Whop({ apiKey: limited.apiKey, baseURL: limited.url, maxRetries: 0 });
      await client.memberships.list({ company_id: limited.companyId });
      await client.memberships.list({ company_id: limited.companyId });
      // Another operation has its own allowance.
      await client.plans.list({ account_id: limited.companyId });
      await assert.rejects(client.memberships.list({ company_id: limited.companyId }), RateLimitError);
      clock += 60_000;
      await client.memberships.list({ company_id: limited.companyId });
    } finally {
      await limited.close();
    }
  });

  it('registers a webhook and signs deliveries the SDK unwraps', async () => {
    const created = await whop.webhooks.create({
      url: receiverUrl,
      events: ['membership.deactivated', 'payment.succeeded'],
      resource_id: sandbox.companyId,
      api_version: 'v1',
    });
    assert.match(created.id, /^hook_/);
    assert.ok(created.webhook_secret.length > 10);
    const listed = await whop.webhooks.list({ company_id: sandbox.companyId });
    assert.deepEqual(
      listed.data.map((webhook) => webhook.url),
      [receiverUrl],
    );
    const target = sandbox.control.company.memberships.find((one) => one.status === 'active');
    assert.ok(target);
    const [delivery] = await sandbox.control.cancelMembership(target.id, 'immediate');
    assert.equal(delivery?.status, 200);
    const last = received.at(-1);
    assert.ok(last);
    const headers = Object.fromEntries(
      Object.entries(last.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    const event = whop.webhooks.unwrap(last.body, {
      headers,
      key: Buffer.from(created.webhook_secret, 'utf8').toString('base64'),
    });
    assert.equal(event.type, 'membership.deactivated');
    assert.equal(event.type === 'membership.deactivated' ? event.data.id : null, target.id);
    assert.equal(event.company_id, sandbox.companyId);
    assert.throws(() =>
      whop.webhooks.unwrap(last.body.replace('canceled', 'active'), {
        headers,
        key: Buffer.from(created.webhook_secret, 'utf8').toString('base64'),
      }),
    );
    // Not subscribed: no delivery.
    assert.deepEqual(await sandbox.control.emit('membership.activated', target), []);
    await whop.webhooks.update(created.id, { enabled: false });
    assert.deepEqual(await sandbox.control.emit('membership.deactivated', target), []);
    assert.equal(await whop.webhooks.delete(created.id), true);
    assert.equal((await whop.webhooks.list({ company_id: sandbox.companyId })).data.length, 0);
  });
});
