import { PatchbayError, z } from '../../../../src/scripts/index.ts';

/**
 * The envelope of a Stripe event (https://docs.stripe.com/api/events/object): `data.object` is
 * the object as it was after the change, `created` when Stripe made the event (Unix seconds).
 * Only what the handlers rely on is checked; the object itself is read as Stripe's type.
 */
const envelope = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created: z.number().int(),
  data: z.object({ object: z.looseObject({ id: z.string().min(1), object: z.string() }) }),
});

export interface StripeEvent<T> {
  id: string;
  type: string;
  /** When Stripe created the event, ISO 8601. */
  createdAt: string;
  object: T;
}

/**
 * The event's object, checked to be a Stripe `kind` (`invoice`, `charge`…). A payload that is
 * not one is refused with `webhook_payload_invalid`: it was verified as Stripe's, so it is a
 * shape this code does not know, and failing it leaves the event for inspection.
 */
export function stripeEvent<T>(payload: unknown, kind: string): StripeEvent<T> {
  const parsed = envelope.safeParse(payload);
  if (!parsed.success || parsed.data.data.object.object !== kind) {
    throw new PatchbayError('webhook_payload_invalid', `Expected a Stripe event about a ${kind}`);
  }
  const { id, type, created, data } = parsed.data;
  return { id, type, createdAt: new Date(created * 1000).toISOString(), object: data.object as T };
}
