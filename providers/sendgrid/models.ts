/**
 * SendGrid's Event Webhook events
 * (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event) as `email_events`
 * records. Each item of a delivery's JSON array is one event about one recipient: `email`,
 * `timestamp` (Unix seconds), `event`, `sg_event_id` (unique per event), `sg_message_id` (the
 * `X-Message-Id` of the send, then `.` and SendGrid's internal suffix), the message's custom args,
 * and by type `reason`, `type` (`bounce` or `blocked`), `bounce_classification`, `url`…
 */
import type { EmailEventRecord, EmailEventType } from '../../src/scripts/index.ts';

/** SendGrid's event names → the shared vocabulary. */
export const SENDGRID_EVENT_TYPES: Readonly<Record<string, EmailEventType>> = {
  processed: 'processed',
  dropped: 'dropped',
  delivered: 'delivered',
  deferred: 'deferred',
  bounce: 'bounced',
  open: 'opened',
  click: 'clicked',
  spamreport: 'complained',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
  group_resubscribe: 'resubscribed',
};

/**
 * The Event Webhook settings' boolean for each event name (`spamreport` is `spam_report`): what
 * a webhook registration turns on for its topics.
 */
export const SETTING_OF_EVENT: Readonly<Record<string, string>> = {
  processed: 'processed',
  dropped: 'dropped',
  delivered: 'delivered',
  deferred: 'deferred',
  bounce: 'bounce',
  open: 'open',
  click: 'click',
  spamreport: 'spam_report',
  unsubscribe: 'unsubscribe',
  group_unsubscribe: 'group_unsubscribe',
  group_resubscribe: 'group_resubscribe',
};

export interface SendGridEvent {
  email: string;
  timestamp: number;
  event: string;
  sg_event_id: string;
  sg_message_id: string;
  type?: string;
  reason?: string;
  url?: string;
}

/** The `X-Message-Id` a `sg_message_id` starts with. */
export function messageIdOf(sgMessageId: string): string {
  const dot = sgMessageId.indexOf('.');
  return dot < 0 ? sgMessageId : sgMessageId.slice(0, dot);
}

/** The record of one event; null for an event name outside the shared vocabulary. */
export function toEmailEvent(event: SendGridEvent & Record<string, unknown>): EmailEventRecord | null {
  const type = SENDGRID_EVENT_TYPES[event.event];
  if (!type) return null;
  let bounce: EmailEventRecord['bounce'] = null;
  if (type === 'bounced') {
    // `blocked` is a temporary refusal by the receiving server; `bounce` a permanent one.
    bounce = { kind: event.type === 'blocked' ? 'soft' : 'hard', reason: event.reason ?? null };
  } else if (type === 'dropped') {
    bounce = { kind: 'undetermined', reason: event.reason ?? null };
  }
  return {
    id: event.sg_event_id,
    emailId: messageIdOf(event.sg_message_id),
    type,
    providerType: event.event,
    recipient: event.email,
    occurredAt: new Date(event.timestamp * 1000).toISOString(),
    bounce,
    url: type === 'clicked' ? (event.url ?? null) : null,
    raw: event,
  };
}
