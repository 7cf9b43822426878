/**
 * Stripe objects as they travel on the wire. The SDK's types describe objects after the SDK has
 * parsed them, and the SDK turns decimal strings (`unit_amount_decimal`, `quantity_decimal`) into
 * its `Decimal` class; on the wire they are strings. `StripeJson<Stripe.Invoice>` is therefore the
 * SDK's own type with every `Decimal` replaced by `string`, which is what the emulator's object
 * builders promise to return.
 */
import type Stripe from 'stripe';

// Primitives (and Stripe's open enums, `string & {}`) stay as they are; arrays are mapped
// element-wise; every other object field by field.
export type StripeJson<T> = T extends Stripe.Decimal
  ? string
  : T extends string | number | boolean | bigint | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? StripeJson<U>[]
      : T extends object
        ? { [K in keyof T]: StripeJson<T[K]> }
        : T;

/** A list answer (`object: 'list'`), as every list endpoint and embedded list returns. */
export interface ListJson<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** Stripe timestamps: whole seconds since the epoch. */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
