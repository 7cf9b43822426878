import { defineWebhookHandler, emailEventModel, z } from '../../../../src/scripts/index.ts';
import { SENDGRID_EVENT_TYPES, type SendGridEvent, toEmailEvent } from '../../models.ts';

const item = z.looseObject({
  email: z.string().min(1),
  timestamp: z.number().int().nonnegative(),
  event: z.string().min(1),
  sg_event_id: z.string().min(1),
  sg_message_id: z.string().min(1),
  type: z.string().optional(),
  reason: z.string().optional(),
  url: z.string().optional(),
});

/**
 * Each event of a SendGrid Event Webhook delivery (the inbound layer splits the batch, one
 * inbound event per item, deduplicated on `sg_event_id`) becomes an `email_events` record;
 * deliveries, bounces (and drops) and spam reports emit `email.delivered`, `email.bounced` and
 * `email.complained`. An item that is not SendGrid's shape is left to the raw event, with a
 * warning.
 */
export default defineWebhookHandler({
  name: 'email-events',
  description:
    'SendGrid events become email_events records; deliveries, bounces and spam reports emit events',
  events: Object.keys(SENDGRID_EVENT_TYPES),
  models: { email_events: emailEventModel },
  async handle(ctx, event) {
    const parsed = item.safeParse(event.payload);
    if (!parsed.success) {
      ctx.log.warn({ type: event.type }, 'not a SendGrid event: left to the raw event');
      return;
    }
    const record = toEmailEvent(parsed.data as SendGridEvent & Record<string, unknown>);
    if (!record) return;
    await ctx.records.save('email_events', [record]);
    const common = {
      emailId: record.emailId,
      recipient: record.recipient,
      occurredAt: record.occurredAt,
      providerType: record.providerType,
    };
    if (record.type === 'delivered') ctx.events.emit('email.delivered', common);
    else if (record.type === 'complained') ctx.events.emit('email.complained', common);
    else if (record.bounce) ctx.events.emit('email.bounced', { ...common, bounce: record.bounce });
  },
});
