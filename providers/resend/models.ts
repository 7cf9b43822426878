/**
 * Resend's email events (https://resend.com/docs/dashboard/webhooks/event-types) as
 * `email_events` records. An event body is `{ type, created_at, data }`, `data` carrying the
 * email's `email_id`, `from`, `to`, `subject` and, by type, `bounce` (`type`: Permanent,
 * Transient or Undetermined), `click` (`link`), `failed` (`reason`) or `suppressed`. Resend sends
 * one event per email, not per recipient.
 */
import type { EmailEventRecord, EmailEventType, EmailRecord } from '../../src/scripts/index.ts';

/** Resend's email event types → the shared vocabulary. */
export const RESEND_EVENT_TYPES: Readonly<Record<string, EmailEventType>> = {
  'email.sent': 'sent',
  'email.scheduled': 'scheduled',
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'delivery_delayed',
  'email.bounced': 'bounced',
  'email.failed': 'failed',
  'email.suppressed': 'suppressed',
  'email.complained': 'complained',
  'email.opened': 'opened',
  'email.clicked': 'clicked',
};

export interface ResendEmailEventBody {
  type: string;
  created_at: string;
  data: {
    email_id: string;
    to?: string[];
    bounce?: { type?: string; message?: string };
    click?: { link?: string };
    failed?: { reason?: string };
    suppressed?: { message?: string; type?: string };
  } & Record<string, unknown>;
}

const BOUNCE_KINDS: Readonly<Record<string, 'hard' | 'soft'>> = { Permanent: 'hard', Transient: 'soft' };

/** The record of one event; null when the type is not an email event. */
export function toEmailEvent(event: ResendEmailEventBody): EmailEventRecord | null {
  const type = RESEND_EVENT_TYPES[event.type];
  if (!type) return null;
  const { data } = event;
  const occurredAt = new Date(event.created_at).toISOString();
  const to = data.to ?? [];
  let bounce: EmailEventRecord['bounce'] = null;
  if (type === 'bounced') {
    bounce = {
      kind: BOUNCE_KINDS[data.bounce?.type ?? ''] ?? 'undetermined',
      reason: data.bounce?.message ?? null,
    };
  } else if (type === 'failed') {
    bounce = { kind: 'undetermined', reason: data.failed?.reason ?? null };
  } else if (type === 'suppressed') {
    // Resend did not send it: the address is on the suppression list after a bounce or complaint.
    bounce = { kind: 'hard', reason: data.suppressed?.message ?? null };
  }
  return {
    // Resend's body has no event id: an event is one type of one email at one instant.
    id: `${data.email_id}:${event.type}:${occurredAt}`,
    emailId: data.email_id,
    type,
    providerType: event.type,
    recipient: to.length === 1 ? (to[0] ?? null) : null,
    occurredAt,
    bounce,
    url: type === 'clicked' ? (data.click?.link ?? null) : null,
    raw: event as unknown as Record<string, unknown>,
  };
}

/** An email as `GET /emails` lists it (https://resend.com/docs/api-reference/emails/list-emails). */
export interface ResendListedEmail {
  id: string;
  from: string;
  to: string[];
  cc: string[] | null;
  bcc: string[] | null;
  subject: string;
  created_at: string;
  scheduled_at: string | null;
  last_event: string;
}

/** Resend's `last_event` values → the `emails` model's status. */
const STATUS: Readonly<Record<string, EmailRecord['status']>> = {
  queued: 'queued',
  scheduled: 'scheduled',
  canceled: 'canceled',
  sent: 'sent',
  delivered: 'delivered',
  delivery_delayed: 'delivery_delayed',
  bounced: 'bounced',
  failed: 'failed',
  suppressed: 'suppressed',
  complained: 'complained',
  opened: 'opened',
  clicked: 'clicked',
};

/** The `emails` record of a listed email; a `last_event` the model does not know reads as `sent`. */
export function toEmailRecord(email: ResendListedEmail): EmailRecord {
  return {
    id: email.id,
    from: email.from,
    to: email.to,
    cc: email.cc ?? [],
    bcc: email.bcc ?? [],
    subject: email.subject,
    status: STATUS[email.last_event] ?? 'sent',
    createdAt: new Date(email.created_at).toISOString(),
    scheduledAt: email.scheduled_at === null ? null : new Date(email.scheduled_at).toISOString(),
    raw: email as unknown as Record<string, unknown>,
  };
}
