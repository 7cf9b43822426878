/** Postal addresses (`address[line1]`…) on customers and checkout details. */
import type Stripe from 'stripe';
import type { Params } from '../params.ts';

const FIELDS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const;

/** Reads `address[…]`; `address=` (empty) unsets the whole address. */
export function readAddress(params: Params, key = 'address'): Stripe.Address | null | undefined {
  const nested = params.nullableObject(key);
  if (nested === undefined || nested === null) return nested;
  const address: Stripe.Address = {
    city: null,
    country: null,
    line1: null,
    line2: null,
    postal_code: null,
    state: null,
  };
  for (const field of FIELDS) address[field] = nested.nullableString(field) ?? null;
  return address;
}
