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

/**
 * A message the provider accepted, with where it stands: the provider's last event about it
 * (`queued` and `scheduled` before sending, `canceled` for a scheduled one called off). Kept by
 * syncs of providers that list their sent messages (Resend's `GET /emails`).
 */
export const emailModel = z.object({
  id: z.string().min(1),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  subject: z.string(),
  status: z.union([emailEventType, z.enum(['queued', 'canceled'])]),
  createdAt: instant,
  scheduledAt: instant.nullable(),
  raw,
});

export type EmailRecord = z.input<typeof emailModel>;

/** The email models by name, as syncs and webhook handlers declare them. */
export const emailModels = { emails: emailModel, email_events: emailEventModel } as const;

/**
 * An address as providers take it: `a@example.com` or `Name <a@example.com>`. Checked loosely
 * (one `@`, no spaces or angle brackets in the address): the provider has the last word.
 */
const emailAddress = z
  .string()
  .min(3)
  .max(320)
  .regex(
    /^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/,
    'expected "a@example.com" or "Name <a@example.com>"',
  );

/**
 * The input of every email provider's `send-email` action: the contract the notifications module
 * sends through, whichever provider is connected. At least one of `text` and `html`.
 */
export const sendEmailInput = z
  .object({
    from: emailAddress,
    to: z.array(emailAddress).min(1).max(50),
    subject: z.string().min(1).max(998),
    text: z.string().min(1).optional(),
    html: z.string().min(1).optional(),
    replyTo: emailAddress.optional(),
    /** Extra message headers (`List-Unsubscribe`, `X-Entity-Ref-ID`…). */
    headers: z.record(z.string().min(1).max(200), z.string().max(2000)).optional(),
    cc: z.array(emailAddress).max(50).optional(),
    bcc: z.array(emailAddress).max(50).optional(),
  })
  .refine((input) => input.text !== undefined || input.html !== undefined, {
    message: 'give text, html or both',
    path: ['text'],
  });

/** What `send-email` answers: the provider's id of the accepted message (`emailId` of its events). */
export const sendEmailOutput = z.object({ id: z.string().min(1) });

export type SendEmailInput = z.output<typeof sendEmailInput>;
