/**
 * The emulator's object builders are typed with the SDK's own types. Every builder declares
 * `StripeJson<Stripe.X>` — the SDK's type with its `Decimal` fields as the strings they are on
 * the wire — so the compiler checks each field's name and type and refuses any field the SDK
 * does not know. Here each object is built from records the operations made, checked again with
 * `satisfies`, and its JSON compared with what the SDK would parse.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Stripe from 'stripe';
import { AccountRegistry } from './accounts.ts';
import { type StripeCore, scopeOf } from './context.ts';
import { StripeFaults } from './faults.ts';
import type { StripeJson } from './json.ts';
import { accountJson, applicationJson } from './objects/account.ts';
import { applicationFeeJson } from './objects/application-fee.ts';
import { chargeJson } from './objects/charge.ts';
import {
  type CheckoutLineRecord,
  checkoutLineJson,
  checkoutSessionJson,
} from './objects/checkout-session.ts';
import { customerJson, deletedCustomerJson } from './objects/customer.ts';
import { eventJson } from './objects/event.ts';
import { type InvoicePaymentRecord, invoiceJson, invoicePaymentJson } from './objects/invoice.ts';
import { invoiceItemJson } from './objects/invoice-item.ts';
import { invoiceLineJson } from './objects/invoice-line.ts';
import { paymentIntentJson } from './objects/payment-intent.ts';
import { planJson, priceJson } from './objects/price.ts';
import { productJson } from './objects/product.ts';
import { refundJson } from './objects/refund.ts';
import { subscriptionJson } from './objects/subscription.ts';
import { webhookEndpointJson } from './objects/webhook-endpoint.ts';
import { completeSession, createSession } from './ops/checkout.ts';
import { payInvoice } from './ops/invoice-payment.ts';
import { attachItem, createInvoice, finalizeInvoice } from './ops/invoicing.ts';
import { confirmPaymentIntent, createPaymentIntent } from './ops/payments.ts';
import { refundCharge } from './ops/refunds.ts';
import { createSubscription } from './ops/subscriptions.ts';
import { createCustomer } from './resources/customers.ts';
import { createPrice } from './resources/prices.ts';
import { createProduct } from './resources/products.ts';
import type { AccountState } from './state.ts';
import { StripeSandboxStats } from './stats.ts';
import { ManualClock } from './test-client.ts';
import { WebhookDispatcher } from './webhook-delivery.ts';

/** Whether two types are the same (a compile-time check: a wrong `true` does not compile). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

const decimalIsString: Same<StripeJson<Stripe.Price>['unit_amount_decimal'], string | null> = true;
const otherFieldsKept: Same<StripeJson<Stripe.Customer>['address'], Stripe.Customer['address']> = true;
const openEnumsKept: Same<StripeJson<Stripe.Invoice>['status'], Stripe.Invoice['status']> = true;

function emulator() {
  const clock = new ManualClock(Date.UTC(2026, 6, 1));
  const accounts = new AccountRegistry();
  const stats = new StripeSandboxStats();
  const core: StripeCore = {
    clock,
    origin: 'http://sandbox.test',
    accounts,
    stats,
    faults: new StripeFaults(),
    webhooks: new WebhookDispatcher(clock, accounts, stats, { automatic: false }),
    limiter: undefined,
  };
  const platform = accounts.addPlatform({ name: 'Fixture Platform' }, clock.now() / 1000);
  const seller = accounts.createConnectedAccount({ name: 'Fixture Seller' }, clock.now() / 1000);
  accounts.connect(platform.id, seller.id, 'read_write');
  return {
    core,
    platform,
    platformScope: scopeOf(core, accounts.get(platform.id) as AccountState),
    sellerScope: scopeOf(core, seller),
  };
}

/** JSON survives a round trip unchanged: no undefined, functions or dates in a fixture. */
function wire<T>(value: T): T {
  assert.deepEqual(JSON.parse(JSON.stringify(value)), value);
  return value;
}

describe('object builders', () => {
  it('build every billing object the SDK types describe', () => {
    const { platformScope: scope, platform } = emulator();
    const customer = createCustomer(scope, { email: 'fix@example.com', name: 'Fix' });
    const product = createProduct(scope, { name: 'Plan' });
    const price = createPrice(scope, {
      product: product.id,
      currency: 'usd',
      unitAmount: 1500,
      recurring: { interval: 'month', intervalCount: 1 },
    });
    const invoice = createInvoice(
      scope,
      {
        customer,
        currency: 'usd',
        collectionMethod: 'charge_automatically',
        dueDate: null,
        autoAdvance: false,
        description: 'fixture',
        footer: null,
        metadata: {},
      },
      [],
    );
    const item = {
      id: 'ii_fixture',
      created: 1,
      seq: scope.account.nextSeq(),
      customer: customer.id,
      invoice: null,
      currency: 'usd',
      quantity: 2,
      unitAmount: 500,
      price: price.id,
      product: product.id,
      description: 'two',
      metadata: {},
      period: { start: 1, end: 2 },
      discountable: true,
      subscription: null,
    };
    scope.account.invoiceItems.add(item);
    const line = attachItem(invoice, item);
    finalizeInvoice(scope, invoice);
    payInvoice(scope, invoice, { platform: undefined });
    const subscription = createSubscription(scope, {
      customer,
      items: [{ price, quantity: 1, metadata: {} }],
      collectionMethod: 'charge_automatically',
      daysUntilDue: null,
      description: null,
      metadata: {},
      trialPeriodDays: null,
      paymentBehavior: 'allow_incomplete',
      applicationFeePercent: null,
      paymentMethod: undefined,
      platform: undefined,
    });

    const fixtures = {
      customer: wire(customerJson(customer, scope) satisfies StripeJson<Stripe.Customer>),
      deleted: wire(deletedCustomerJson(customer.id) satisfies StripeJson<Stripe.DeletedCustomer>),
      product: wire(productJson(product, scope) satisfies StripeJson<Stripe.Product>),
      price: wire(priceJson(price, scope) satisfies StripeJson<Stripe.Price>),
      plan: wire(planJson(price) satisfies StripeJson<Stripe.Plan>),
      item: wire(invoiceItemJson(item, scope) satisfies StripeJson<Stripe.InvoiceItem>),
      line: wire(invoiceLineJson(line, invoice.id) satisfies StripeJson<Stripe.InvoiceLineItem>),
      invoice: wire(invoiceJson(invoice, scope) satisfies StripeJson<Stripe.Invoice>),
      payment: wire(
        invoicePaymentJson(
          invoice.payments[0] as InvoicePaymentRecord,
          invoice,
        ) satisfies StripeJson<Stripe.InvoicePayment>,
      ),
      subscription: wire(subscriptionJson(subscription, scope) satisfies StripeJson<Stripe.Subscription>),
      account: wire(accountJson(scope.account.info) satisfies StripeJson<Stripe.Account>),
      application: wire(applicationJson(platform.clientId, null) satisfies StripeJson<Stripe.Application>),
    };
    assert.equal(fixtures.invoice.status, 'paid');
    assert.equal(
      fixtures.invoice.hosted_invoice_url,
      `http://sandbox.test/i/${scope.account.id}/${invoice.id}`,
    );
    assert.equal(fixtures.line.pricing?.unit_amount_decimal, '500');
    assert.equal(fixtures.price.unit_amount_decimal, '1500');
    assert.equal(fixtures.subscription.items.data[0]?.plan.amount_decimal, '1500');
    for (const [kind, json] of Object.entries(fixtures)) {
      assert.equal('livemode' in json ? json.livemode : false, false, kind);
    }
    const events = scope.account.events
      .values()
      .map((event) => eventJson(event) satisfies StripeJson<Stripe.EventBase>);
    assert.deepEqual(events.map((event) => event.type).slice(0, 3), [
      'customer.created',
      'product.created',
      'invoice.created',
    ]);
  });

  it('build every payment object the SDK types describe', () => {
    const { sellerScope: scope, platformScope, platform } = emulator();
    const product = createProduct(scope, { name: 'Ticket' });
    const price = createPrice(scope, { product: product.id, currency: 'usd', unitAmount: 4000 });
    const session = createSession(scope, {
      lines: [{ price, quantity: 1 }],
      successUrl: null,
      cancelUrl: null,
      customer: null,
      customerEmail: null,
      customerCreation: 'if_required',
      clientReferenceId: null,
      metadata: {},
      paymentIntentData: { applicationFeeAmount: 400, description: null, metadata: {} },
      paymentLink: null,
      platform: platform.id,
      expiresAt: null,
    });
    completeSession(scope, session, { email: 'buyer@example.com' });
    const intent = scope.account.paymentIntents.get(String(session.paymentIntent));
    assert.ok(intent);
    const charge = scope.account.charges.get(String(intent.latestCharge));
    assert.ok(charge);
    const refund = refundCharge(scope, charge, {
      metadata: {},
      refundApplicationFee: true,
      platform,
      amount: 1000,
    });
    const fee = platformScope.account.applicationFees.get(String(charge.applicationFee));
    assert.ok(fee);
    const declinedIntent = createPaymentIntent(scope, {
      amount: 100,
      currency: 'usd',
      customer: null,
      description: null,
      metadata: {},
      applicationFeeAmount: null,
      paymentMethod: 'pm_card_chargeDeclined',
      receiptEmail: null,
    });
    const declined = confirmPaymentIntent(scope, declinedIntent, { platform: undefined }).charge;
    const endpoint = {
      id: 'we_fixture',
      created: 1,
      seq: 1,
      url: 'https://hooks.example',
      enabledEvents: ['*'],
      description: null,
      metadata: {},
      status: 'enabled' as const,
      secret: 'whsec_fixture',
      connect: true,
      apiVersion: null,
      application: platform.clientId,
    };

    const fixtures = {
      session: wire(checkoutSessionJson(session, scope) satisfies StripeJson<Stripe.Checkout.Session>),
      lineItem: wire(
        checkoutLineJson(
          session.lines[0] as CheckoutLineRecord,
          'usd',
          scope,
        ) satisfies StripeJson<Stripe.LineItem>,
      ),
      intent: wire(paymentIntentJson(intent, scope) satisfies StripeJson<Stripe.PaymentIntent>),
      declinedIntent: wire(
        paymentIntentJson(declinedIntent, scope) satisfies StripeJson<Stripe.PaymentIntent>,
      ),
      charge: wire(chargeJson(charge, scope) satisfies StripeJson<Stripe.Charge>),
      declined: wire(chargeJson(declined, scope) satisfies StripeJson<Stripe.Charge>),
      refund: wire(refundJson(refund, scope) satisfies StripeJson<Stripe.Refund>),
      fee: wire(applicationFeeJson(fee, platformScope) satisfies StripeJson<Stripe.ApplicationFee>),
      endpoint: wire(
        webhookEndpointJson(endpoint, platformScope, true) satisfies StripeJson<Stripe.WebhookEndpoint>,
      ),
    };
    assert.equal(fixtures.session.status, 'complete');
    assert.equal(fixtures.charge.application_fee, fee.id);
    assert.equal(fixtures.fee.amount_refunded, 100);
    assert.equal(fixtures.declined.failure_code, 'card_declined');
    assert.equal(fixtures.declinedIntent.last_payment_error?.decline_code, 'generic_decline');
    assert.equal(fixtures.endpoint.secret, 'whsec_fixture');
    assert.ok(decimalIsString && otherFieldsKept && openEnumsKept);
  });
});
