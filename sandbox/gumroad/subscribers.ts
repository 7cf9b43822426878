/**
 * Gumroad's subscribers (memberships) in the emulator: `GET /v2/products/:product_id/subscribers`
 * (https://gumroad.com/api#subscribers) lists a membership product's subscriptions, everything in
 * one answer unless `paginated=true` asks for pages of 100 with `next_page_key`. A subscription
 * is a buyer's sales of one membership product (its first purchase and the renewal charges); its
 * status is `alive` until the control cancels or ends it.
 */
import { externalId } from './ids.ts';
import { licenseKey } from './licenses.ts';
import { type GumroadStore, type ProductSeed, SALT } from './store.ts';

/** Subscribers per page when `paginated=true` (Gumroad's documented 100). */
export const SUBSCRIBERS_PAGE_SIZE = 100;

/** Gumroad's subscription statuses the emulator uses. */
export type SubscriberStatus =
  | 'alive'
  | 'pending_cancellation'
  | 'cancelled'
  | 'fixed_subscription_period_ended';

/** The id a buyer's subscription of `product` has (what their sales carry in `subscription_id`). */
export function subscriptionId(buyer: number, product: ProductSeed): string {
  return externalId(buyer * 65_536 + product.index, SALT.subscription);
}

/** Runtime changes of subscriptions: their status and when it changed. */
export class SubscriberChanges {
  readonly #changes = new Map<string, { status: SubscriberStatus; at: number }>();

  set(id: string, status: SubscriberStatus, at: number): void {
    this.#changes.set(id, { status, at });
  }

  get(id: string): { status: SubscriberStatus; at: number } | undefined {
    return this.#changes.get(id);
  }
}

/** The subscribers of a membership product as Gumroad serves them, oldest first. */
export function subscribersOf(
  store: GumroadStore,
  product: ProductSeed,
  changes: SubscriberChanges,
): Array<Record<string, unknown>> {
  // A product that is not a membership has no subscribers.
  if (product.recurrence === null) return [];
  const byId = new Map<string, { buyer: number; sales: number[] }>();
  for (let index = 0; index < store.saleCount; index++) {
    const sale = store.sale(index);
    if (sale.product.index !== product.index) continue;
    const id = subscriptionId(sale.buyer, product);
    const entry = byId.get(id) ?? { buyer: sale.buyer, sales: [] };
    entry.sales.push(index);
    byId.set(id, entry);
  }
  return [...byId].map(([id, { buyer, sales }]) => {
    const first = sales[0] as number;
    const change = changes.get(id);
    const status = change?.status ?? 'alive';
    const at = change ? new Date(change.at).toISOString() : null;
    const email = `buyer${buyer}@example.com`;
    return {
      id,
      email,
      product_id: product.id,
      product_name: product.name,
      user_id: buyer % 3 === 0 ? externalId(buyer, SALT.purchaser) : null,
      user_email: buyer % 3 === 0 ? email : null,
      purchase_ids: sales.map((index) => externalId(index, SALT.sale)),
      created_at: new Date(store.createdAt(first)).toISOString(),
      user_requested_cancellation_at: status === 'pending_cancellation' ? at : null,
      charge_occurrence_count: null,
      recurrence: product.recurrence,
      cancelled_at: status === 'cancelled' ? at : null,
      ended_at: status === 'cancelled' || status === 'fixed_subscription_period_ended' ? at : null,
      failed_at: null,
      free_trial_ends_at: null,
      license_key: licenseKey(first),
      status,
    };
  });
}
