/**
 * Events: a snapshot of the object after the change (`data.object`), what changed on updates
 * (`data.previous_attributes`), the request behind it, and `account` when the event happened in
 * a connected account.
 */
import type Stripe from 'stripe';
import type { RequestInfo } from '../context.ts';
import type { StripeJson } from '../json.ts';

/** The event types the emulator records (all Stripe's own). */
export type EventType = Extract<
  Stripe.Event.Type,
  | 'account.application.authorized'
  | 'account.application.deauthorized'
  | 'application_fee.created'
  | 'application_fee.refunded'
  | 'charge.failed'
  | 'charge.refunded'
  | 'charge.succeeded'
  | 'checkout.session.completed'
  | 'checkout.session.expired'
  | 'customer.created'
  | 'customer.deleted'
  | 'customer.subscription.created'
  | 'customer.subscription.deleted'
  | 'customer.subscription.updated'
  | 'customer.updated'
  | 'invoice.created'
  | 'invoice.deleted'
  | 'invoice.finalized'
  | 'invoice.marked_uncollectible'
  | 'invoice.paid'
  | 'invoice.payment_failed'
  | 'invoice.payment_succeeded'
  | 'invoice.sent'
  | 'invoice.updated'
  | 'invoice.voided'
  | 'invoiceitem.created'
  | 'payment_intent.canceled'
  | 'payment_intent.created'
  | 'payment_intent.payment_failed'
  | 'payment_intent.succeeded'
  | 'payment_link.created'
  | 'payment_link.updated'
  | 'price.created'
  | 'price.updated'
  | 'product.created'
  | 'product.updated'
  | 'product.deleted'
  | 'refund.created'
>;

export interface EventRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  readonly type: EventType;
  readonly object: object;
  readonly previousAttributes: Record<string, unknown> | undefined;
  /** Set for events of connected accounts. */
  readonly account: string | undefined;
  readonly request: RequestInfo;
  readonly apiVersion: string;
  /** Endpoints that have not yet answered 2xx. */
  pendingWebhooks: number;
}

export function eventJson(event: EventRecord): StripeJson<Stripe.EventBase> {
  return {
    id: event.id,
    object: 'event',
    ...(event.account === undefined ? {} : { account: event.account }),
    api_version: event.apiVersion,
    created: event.created,
    data: {
      object: event.object,
      ...(event.previousAttributes === undefined ? {} : { previous_attributes: event.previousAttributes }),
    },
    livemode: false,
    pending_webhooks: event.pendingWebhooks,
    request: { id: event.request.id, idempotency_key: event.request.idempotency_key },
    type: event.type,
  };
}
