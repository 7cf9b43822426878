/**
 * Issue 16's live-selling flow as one story, through the engine's API against the Stripe and
 * Messenger emulators: a seller connected by Connect OAuth (and another by their own keys)
 * invoices the buyers of a show from one rollup; running it again invoices nobody twice; a buyer
 * Stripe refuses is reported while the others are invoiced; a buyer pays, Stripe's signed
 * `invoice.paid` moves the invoice record to paid and the host's endpoint receives `invoice.paid`
 * (verified with standardwebhooks); each buyer is then sent their checkout link on Messenger —
 * delivered inside the 24-hour window, handed back as `message.fallback_required` with the link
 * outside it or when the buyer blocked the Page. The crash half (SIGKILL mid-rollup, then exactly
 * one invoice per buyer) is stripe-rollup-crash.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type WebhookReceiver, waitFor } from '../support/library-engine.ts';
import type { MessengerOnEngine } from '../support/messenger-world.ts';
import { connectMessenger } from '../support/messenger-world.ts';
import { allInvoices, connectByKeys, type StripeWorld, startStripeWorld } from '../support/stripe-world.ts';

const HOUR = 3_600_000;
const BUYERS = 25;

interface BuyerResult {
  buyerId: string;
  invoiceId: string | null;
  hostedUrl: string | null;
  status: string | null;
  alreadyExisted: boolean;
  error: { code: string; message: string } | null;
}

/**
 * The emulator serves hosted invoice pages on its own loopback origin; Stripe's are on
 * invoice.stripe.com, and Meta takes only links to public domains. The path is Stripe's shape.
 */
function publicLink(hostedUrl: string): string {
  const url = new URL(hostedUrl);
  return `https://invoice.stripe.com${url.pathname}`;
}

/** 25 buyers with 80 items between them: five take 4 items, twenty take 3. */
function showBuyers(rollupId: string) {
  return Array.from({ length: BUYERS }, (_, b) => ({
    buyerId: `${rollupId}-buyer-${b}`,
    handle: `@fan${b}`,
    ...(b % 2 === 0 ? { email: `fan${b}@example.com` } : {}),
    items: Array.from({ length: b < 5 ? 4 : 3 }, (_, i) => ({
      title: `Lot ${b}-${i}`,
      quantity: 1 + (i % 2),
      unitAmount: 900 + 100 * i,
      currency: 'usd',
    })),
  }));
}

describe('the live-selling flow: rollup → invoices → paid → checkout links on Messenger', {
  timeout: 120_000,
}, () => {
  let world: StripeWorld;
  let messenger: MessengerOnEngine;
  let receiver: WebhookReceiver;
  let hostSecret: string;
  let results: BuyerResult[] = [];

  before(async () => {
    world = await startStripeWorld({ sandbox: { webhookDelivery: { automatic: false } } });
    receiver = await startWebhookReceiver();
    // The platform's Connect endpoint at Stripe, pointed at the engine's intake; its secret is
    // the integration's webhook secret.
    const url = await world.engine.call('GET', '/v1/integrations/stripe/webhook-url');
    assert.equal(url.status, 200, url.text);
    const connect = await world.sdk.webhookEndpoints.create({
      url: `${world.engine.baseUrl}${new URL(url.body.url).pathname}`,
      enabled_events: ['*'],
      connect: true,
    });
    const patched = await world.engine.call('PATCH', '/v1/integrations/stripe', {
      webhookSecret: String(connect.secret),
    });
    assert.equal(patched.status, 200, patched.text);
    const endpoint = await world.engine.call('POST', '/v1/endpoints', {
      url: receiver.url,
      eventTypes: ['invoice.paid', 'rollup.invoiced', 'message.fallback_required'],
    });
    assert.equal(endpoint.status, 201, endpoint.text);
    hostSecret = endpoint.body.secret;
    messenger = await connectMessenger(world.engine);
  });

  after(async () => {
    await world?.close();
    await messenger?.messenger.close();
    await receiver?.close();
  });

  async function rollup(connectionId: string, rollupId: string, buyers: unknown[]) {
    const queued = await world.engine.call(
      'POST',
      `/v1/connections/${connectionId}/actions/create-invoices-from-rollup`,
      { input: { rollupId, buyers, options: { daysUntilDue: 3 } }, async: true },
    );
    assert.equal(queued.status, 202, queued.text);
    const run = await world.finished(queued.body.id, 60_000);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    return run.output as { invoiced: number; alreadyInvoiced: number; failed: number; buyers: BuyerResult[] };
  }

  /** Verified deliveries of `type` at the host's endpoint. */
  function delivered(type: string): Array<{ type: string; data: Record<string, unknown> }> {
    return receiver.received
      .map(
        (request) =>
          new Webhook(hostSecret).verify(request.body, request.headers) as {
            type: string;
            data: Record<string, unknown>;
          },
      )
      .filter((message) => message.type === type);
  }

  it('invoices the 25 buyers of a show once, even when the rollup runs again', async () => {
    const buyers = showBuyers('show-1');
    assert.equal(
      buyers.reduce((n, buyer) => n + buyer.items.length, 0),
      80,
    );
    const first = await rollup(world.connectionId, 'show-1', buyers);
    assert.deepEqual([first.invoiced, first.alreadyInvoiced, first.failed], [BUYERS, 0, 0]);
    results = first.buyers;
    const invoices = await allInvoices(world.sdk, world.accountId);
    assert.equal(invoices.length, BUYERS);
    for (const invoice of invoices) {
      assert.equal(invoice.status, 'open');
      assert.ok(invoice.hosted_invoice_url, invoice.id);
    }
    assert.deepEqual(
      results.map((result) => result.hostedUrl).sort(),
      invoices.map((invoice) => invoice.hosted_invoice_url).sort(),
    );

    const again = await rollup(world.connectionId, 'show-1', buyers);
    assert.deepEqual([again.invoiced, again.alreadyInvoiced, again.failed], [0, BUYERS, 0]);
    assert.equal((await allInvoices(world.sdk, world.accountId)).length, BUYERS, 'nothing new at Stripe');
    await waitFor('both rollup.invoiced at the host', async () =>
      delivered('rollup.invoiced').length === 2 ? true : undefined,
    );
  });

  it("reports the buyer Stripe refuses with Stripe's code and invoices the others", async () => {
    // New buyers (customers are found by handle first): the second one's email is malformed.
    const buyers = showBuyers('show-2')
      .slice(0, 3)
      .map((buyer, b) => ({
        ...buyer,
        handle: `@newfan${b}`,
        email: b === 1 ? 'not-an-email' : `new${b}@example.com`,
      }));
    const output = await rollup(world.connectionId, 'show-2', buyers);
    assert.deepEqual([output.invoiced, output.failed], [2, 1]);
    assert.equal(output.buyers[1]?.error?.code, 'email_invalid');
    assert.ok(output.buyers[0]?.invoiceId && output.buyers[2]?.invoiceId);
  });

  it('invoices through an own-keys connection the same way', async () => {
    const keys = await connectByKeys(world.engine, world.stripe, {
      'https://api.stripe.com': world.stripe.url,
      'https://connect.stripe.com': world.stripe.url,
    });
    const output = await rollup(keys.connectionId, 'show-keys', showBuyers('show-keys').slice(0, 2));
    assert.deepEqual([output.invoiced, output.failed], [2, 0]);
    const own = await allInvoices(world.sdk, {});
    assert.equal(own.filter((invoice) => invoice.metadata?.rollupId === 'show-keys').length, 2);
  });

  it('a paid invoice becomes a paid record and an invoice.paid at the host', async () => {
    const paid = results[0]!;
    await world.sdk.invoices.pay(paid.invoiceId!, {}, world.on);
    await world.stripe.control.deliverPending();
    const record = await waitFor('the invoice record to be paid', async () => {
      const answer = await world.engine.call(
        'GET',
        `/v1/records?connectionId=${world.connectionId}&model=invoices&limit=200`,
      );
      const found = (answer.body.data as Array<{ id: string; data: { status: string } }>).find(
        (entry) => entry.id === paid.invoiceId,
      );
      return found?.data.status === 'paid' ? found : undefined;
    });
    assert.equal(record.data.status, 'paid');
    const event = await waitFor('invoice.paid at the host', async () => delivered('invoice.paid')[0]);
    assert.equal(event.data.invoiceId, paid.invoiceId);
    const metadata = event.data.metadata as Record<string, string>;
    assert.deepEqual([metadata.buyerId, metadata.rollupId], [paid.buyerId, 'show-1']);
  });

  it('sends every buyer their checkout link: delivered in the window, handed back otherwise', async () => {
    const control = messenger.messenger.control;
    const outsideWindow = new Set([20, 21, 22]);
    const blocked = new Set([23, 24]);
    const people = [];
    for (const [index, result] of results.entries()) {
      const person = control.addUser();
      const hoursAgo = outsideWindow.has(index) ? 30 : 1;
      await control.userMessages(person.psid, 'I want lot 1!', { at: Date.now() - hoursAgo * HOUR });
      if (blocked.has(index)) control.block(person.psid);
      people.push({ psid: person.psid, result });
    }
    const outcomes = [];
    for (const { psid, result } of people) {
      const run = await world.engine.call(
        'POST',
        `/v1/connections/${messenger.connectionId}/actions/send-message`,
        {
          input: {
            recipient: { psid },
            text: 'Thanks for buying at the show! Your invoice:',
            url: publicLink(result.hostedUrl!),
            buttonTitle: 'Pay now',
            buyerRef: result.buyerId,
          },
        },
      );
      assert.equal(run.status, 200, run.text);
      assert.equal(run.body.status, 'succeeded', run.text);
      outcomes.push({ psid, result, output: run.body.output as { status: string; reason?: string } });
    }
    const sent = outcomes.filter((outcome) => outcome.output.status === 'sent');
    assert.equal(sent.length, 20);
    for (const { psid, result } of sent) {
      const messages = control.sent().filter((message) => message.recipientId === psid);
      assert.equal(messages.length, 1, psid);
      assert.ok(
        JSON.stringify(messages[0]).includes(publicLink(result.hostedUrl!)),
        'the link reached the buyer',
      );
    }
    const fallbacks = outcomes.filter((outcome) => outcome.output.status === 'fallback_required');
    assert.deepEqual(fallbacks.map((outcome) => outcome.output.reason).sort(), [
      'blocked',
      'blocked',
      'outside_window',
      'outside_window',
      'outside_window',
    ]);
    // Nothing lost: the operator gets each link to share by hand, at the host's endpoint.
    const handedBack = await waitFor('the five fallbacks at the host', async () => {
      const events = delivered('message.fallback_required');
      return events.length === 5 ? events : undefined;
    });
    assert.deepEqual(
      handedBack.map((event) => [event.data.buyerRef, event.data.url]).sort(),
      fallbacks.map((outcome) => [outcome.result.buyerId, publicLink(outcome.result.hostedUrl!)]).sort(),
    );
  });
});
