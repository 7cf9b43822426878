/**
 * What the checkout actions share: line items as Checkout and Payment Links take them, and the
 * platform fee. A fee given as a percentage becomes an amount for Checkout (whose
 * `payment_intent_data` takes only `application_fee_amount`), rounded half up to the minor unit.
 */
import { z } from '../../src/scripts/index.ts';

const currency = z
  .string()
  .regex(/^[a-zA-Z]{3}$/, 'a three-letter ISO currency code')
  .transform((code) => code.toLowerCase());

/** A line: an existing Price, or a title and unit amount priced inline. */
export const checkoutLineInput = z.union([
  z.strictObject({
    priceId: z.string().min(1).max(255),
    quantity: z.number().int().min(1).max(999_999),
  }),
  z.strictObject({
    title: z.string().min(1).max(500),
    unitAmount: z.number().int().min(0).max(99_999_999),
    currency,
    quantity: z.number().int().min(1).max(999_999),
  }),
]);
export type CheckoutLine = z.output<typeof checkoutLineInput>;

/** The platform's fee on a connected account's sale: an amount in minor units, or a percentage. */
export const applicationFeeInput = z.union([
  z.strictObject({ amount: z.number().int().min(0) }),
  z.strictObject({ percent: z.number().min(0).max(100) }),
]);
export type ApplicationFee = z.output<typeof applicationFeeInput>;

export const metadataInput = z.record(z.string().min(1).max(40), z.string().max(500));

/** The total of inline-priced lines, or null when a line uses a Price (its amount is Stripe's). */
export function inlineTotal(lines: readonly CheckoutLine[]): number | null {
  let total = 0;
  for (const line of lines) {
    if (!('unitAmount' in line)) return null;
    total += line.unitAmount * line.quantity;
  }
  return total;
}

/** `percent` of `total`, rounded half up to a whole minor unit. */
export function feeAmountOf(total: number, percent: number): number {
  return Math.round((total * percent) / 100);
}
