/**
 * The Whop v1 webhook events the handlers apply (the `WebhookEvent` names of Whop's API
 * reference). Whop's older API called the membership ones `membership.went_valid` and
 * `membership.went_invalid`; v1 webhooks, which the engine registers, send these.
 */
export const WHOP_MEMBERSHIP_EVENTS = [
  'membership.activated',
  'membership.deactivated',
  'membership.cancel_at_period_end_changed',
] as const;

export const WHOP_PAYMENT_EVENTS = [
  'payment.created',
  'payment.succeeded',
  'payment.failed',
  'payment.pending',
] as const;
