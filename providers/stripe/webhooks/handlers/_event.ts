import { z } from '../../../../src/scripts/index.ts';

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

interface Log {
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * The event's object, when it is a Stripe `kind` (`invoice`, `charge`…); null, with a warning,
 * when it is not. The payload was verified as Stripe's, so an unknown shape is one no retry can
 * change: the handler leaves it alone rather than failing the event, whose raw
 * `inbound.<provider>.<type>` still reaches the host.
 */
export function stripeEvent<T>(payload: unknown, kind: string, log: Log): StripeEvent<T> | null {
  const parsed = envelope.safeParse(payload);
  if (!parsed.success || parsed.data.data.object.object !== kind) {
    log.warn({ expected: kind }, 'not a Stripe event about this kind of object: left to the raw event');
    return null;
  }
  const { id, type, created, data } = parsed.data;
  return { id, type, createdAt: new Date(created * 1000).toISOString(), object: data.object as T };
}

/**
 * `map()` checked against the record's model; null, with a warning, when the object does not map
 * (a field Stripe left out, a status the model does not know): like an unknown shape, nothing a
 * retry could change.
 */
export function recordOf<R>(log: Log, model: z.ZodType, map: () => R): R | null {
  let record: R;
  try {
    record = map();
  } catch (error) {
    log.warn({ error: error instanceof Error ? error.message : String(error) }, 'Stripe object not mapped');
    return null;
  }
  const checked = model.safeParse(record);
  if (checked.success) return record;
  const paths = checked.error.issues.slice(0, 5).map((issue) => issue.path.join('.'));
  log.warn({ paths }, 'Stripe object does not make a valid record');
  return null;
}
