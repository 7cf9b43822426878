/**
 * Changing a subscription's items (`items[i][id]` with `price`, `quantity`, `metadata` or
 * `deleted`; new items without an id), all checked before any is applied so a refused request
 * changes nothing. New items share the current period; no prorations are billed.
 */
import { nowSeconds, type Scope } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import { newId } from '../ids.ts';
import { applyMetadata, type MetadataUpdate } from '../metadata.ts';
import type { PriceRecord } from '../objects/price.ts';
import type { SubscriptionItemRecord, SubscriptionRecord } from '../objects/subscription.ts';

export interface ItemChange {
  /** Where it was sent, for errors: `items[0]`. */
  readonly param: string;
  readonly id: string | undefined;
  readonly deleted: boolean;
  readonly price: PriceRecord | undefined;
  readonly quantity: number | undefined;
  readonly metadata: MetadataUpdate | undefined;
}

export function changeItems(
  scope: Scope,
  subscription: SubscriptionRecord,
  changes: readonly ItemChange[],
): void {
  const targets = changes.map((change) => {
    if (change.id === undefined) {
      if (!change.price) throw parameterMissing(`${change.param}[price]`);
      if (change.price.currency !== subscription.currency) {
        throw invalidRequest('All prices on a subscription must have the same `currency`.', {
          param: `${change.param}[price]`,
        });
      }
      return undefined;
    }
    const existing = subscription.items.find((item) => item.id === change.id);
    if (!existing) {
      throw invalidRequest(`No such subscription item: '${change.id}'`, {
        code: 'resource_missing',
        param: `${change.param}[id]`,
      });
    }
    return existing;
  });
  const now = nowSeconds(scope);
  for (const [index, change] of changes.entries()) {
    const existing = targets[index];
    if (existing && change.deleted) {
      subscription.items.splice(subscription.items.indexOf(existing), 1);
    } else if (existing) {
      if (change.price) existing.price = change.price.id;
      if (change.quantity !== undefined) existing.quantity = change.quantity;
      existing.metadata = applyMetadata(existing.metadata, change.metadata);
    } else {
      subscription.items.push(newItem(subscription, change, now));
    }
  }
}

function newItem(subscription: SubscriptionRecord, change: ItemChange, now: number): SubscriptionItemRecord {
  const anchor = subscription.items[0];
  return {
    id: newId('si').slice(0, 17),
    created: now,
    price: (change.price as PriceRecord).id,
    quantity: change.quantity ?? 1,
    metadata: applyMetadata({}, change.metadata),
    periodStart: anchor?.periodStart ?? now,
    periodEnd: anchor?.periodEnd ?? now,
  };
}
