/**
 * Everything one Stripe account holds: its objects by kind (in list order, with the secondary
 * indexes the common filters need), its events, its idempotency keys, and the payments the
 * tests made fail. Platform and connected accounts have the same state; objects of one account
 * are invisible to every other.
 */
import type { Decline } from './cards.ts';
import { Collection, type Listed } from './collection.ts';
import { IdempotencyStore } from './idempotency.ts';
import type { AccountInfo } from './objects/account.ts';
import type { ApplicationFeeRecord } from './objects/application-fee.ts';
import type { ChargeRecord } from './objects/charge.ts';
import type { CheckoutSessionRecord } from './objects/checkout-session.ts';
import type { CustomerRecord } from './objects/customer.ts';
import type { EventRecord } from './objects/event.ts';
import type { InvoiceRecord } from './objects/invoice.ts';
import type { InvoiceItemRecord } from './objects/invoice-item.ts';
import type { PaymentIntentRecord } from './objects/payment-intent.ts';
import type { PaymentLinkRecord } from './objects/payment-link.ts';
import type { PriceRecord } from './objects/price.ts';
import type { ProductRecord } from './objects/product.ts';
import type { RefundRecord } from './objects/refund.ts';
import type { SubscriptionRecord } from './objects/subscription.ts';
import type { WebhookEndpointRecord } from './objects/webhook-endpoint.ts';

/** A secondary index: one collection per key value (customers by email, invoices by customer). */
export class Index<T extends Listed> {
  readonly #byKey = new Map<string, Collection<T>>();

  get(key: string): Collection<T> | undefined {
    return this.#byKey.get(key);
  }

  add(key: string | null, item: T): void {
    if (key === null) return;
    let collection = this.#byKey.get(key);
    if (!collection) {
      collection = new Collection<T>();
      this.#byKey.set(key, collection);
    }
    collection.add(item);
  }

  remove(key: string | null, item: T): void {
    if (key === null) return;
    this.#byKey.get(key)?.remove(item);
  }
}

export class AccountState {
  readonly info: AccountInfo;
  /** A platform (the emulator made its keys) or an account connected to platforms. */
  readonly kind: 'platform' | 'connected';

  readonly customers = new Collection<CustomerRecord>();
  readonly customersByEmail = new Index<CustomerRecord>();
  readonly products = new Collection<ProductRecord>();
  readonly prices = new Collection<PriceRecord>();
  readonly invoiceItems = new Collection<InvoiceItemRecord>();
  readonly invoices = new Collection<InvoiceRecord>();
  readonly invoicesByCustomer = new Index<InvoiceRecord>();
  readonly paymentIntents = new Collection<PaymentIntentRecord>();
  readonly charges = new Collection<ChargeRecord>();
  readonly refunds = new Collection<RefundRecord>();
  readonly applicationFees = new Collection<ApplicationFeeRecord>();
  readonly subscriptions = new Collection<SubscriptionRecord>();
  readonly checkoutSessions = new Collection<CheckoutSessionRecord>();
  readonly paymentLinks = new Collection<PaymentLinkRecord>();
  readonly webhookEndpoints = new Collection<WebhookEndpointRecord>();
  readonly events = new Collection<EventRecord>();

  readonly idempotency = new IdempotencyStore();
  /** Customers whose payments decline, and how. */
  readonly failingCustomers = new Map<string, Decline>();

  #seq = 0;

  constructor(info: AccountInfo, kind: 'platform' | 'connected') {
    this.info = info;
    this.kind = kind;
  }

  get id(): string {
    return this.info.id;
  }

  /** The next creation sequence number: breaks ties between objects created in the same second. */
  nextSeq(): number {
    return ++this.#seq;
  }
}
