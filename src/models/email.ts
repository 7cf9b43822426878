/**
 * The email model every email-sending provider (Resend, SendGrid) writes its delivery events
 * into: `email_events`, one record per event a provider reported about a message it accepted
 * through `send-email`. A host (and the notifications module) reads a Resend bounce and a
 * SendGrid bounce the same way; the provider's own event stays in `raw`.
 *
 * `emailId` is the id the provider gave the message when it was accepted — the `id` the
 * `send-email` action returns — so a message's events are `email_events` records with that
 * `emailId`. Instants are ISO 8601 strings in UTC.
 */
import { z } from 'zod';

const instant = z.iso.datetime({ offset: true });
/** The provider's own event, as received. */
const raw = z.record(z.string(), z.unknown());

/**
 * What happened to a message, in one vocabulary for every provider. Providers report a subset:
 * Resend has `sent` and `delivery_delayed` where SendGrid has `processed` and `deferred`; only
 * SendGrid reports `dropped` and group (re)subscriptions; only Resend `failed` and `suppressed`.
 */
export const emailEventType = z.enum([
  'processed',
  'sent',
  'scheduled',
  'delivered',
  'delivery_delayed',
  'deferred',
  'bounced',
  'dropped',
  'failed',
  'suppressed',
  'complained',
  'opened',
  'clicked',
  'unsubscribed',
  'resubscribed',
]);
export type EmailEventType = z.output<typeof emailEventType>;

/** A bounce: permanent (`hard`: the address does not take mail), temporary, or not classified. */
export const emailBounce = z.object({
  kind: z.enum(['hard', 'soft', 'undetermined']),
  /** The receiving server's or the provider's reason, as given. */
  reason: z.string().nullable(),
});

/** One delivery or engagement event of one message for one recipient. */
export const emailEventModel = z.object({
  /** The provider's event id (SendGrid's `sg_event_id`), or one derived from the event's identity. */
  id: z.string().min(1),
  /** The provider's id of the message: what `send-email` returned. */
  emailId: z.string().min(1),
  type: emailEventType,
  /** The provider's own name of the event (`email.bounced`, `spamreport`). */
  providerType: z.string().min(1),
  /** The recipient the event is about; null when the provider names none. */
  recipient: z.string().nullable(),
  occurredAt: instant,
  /** Set on `bounced` (and on a dropped or failed message the provider explains). */
  bounce: emailBounce.nullable(),
  /** The link followed, on `clicked`. */
  url: z.string().nullable(),
  raw,
});

export type EmailEventRecord = z.input<typeof emailEventModel>;

/** The email models by name, as syncs and webhook handlers declare them. */
export const emailModels = { email_events: emailEventModel } as const;
