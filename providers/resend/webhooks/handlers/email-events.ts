import { defineWebhookHandler, emailEventModel, z } from '../../../../src/scripts/index.ts';
import { RESEND_EVENT_TYPES, type ResendEmailEventBody, toEmailEvent } from '../../models.ts';

const body = z.object({
  type: z.string().min(1),
  created_at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an instant'),
  data: z.looseObject({ email_id: z.string().min(1), to: z.array(z.string()).optional() }),
});

/**
 * Every Resend email event becomes an `email_events` record (one per event: records are never
 * moved, so a late or repeated event only adds or rewrites its own), and deliveries, bounces
 * (with failed and suppressed sends) and spam complaints emit `email.delivered`, `email.bounced`
 * and `email.complained`. A body that is not Resend's shape is left to the raw
 * `inbound.resend.<type>` event, with a warning: no retry could change it.
 */
export default defineWebhookHandler({
  name: 'email-events',
  description:
    'Resend email events become email_events records; deliveries, bounces and complaints emit events',
  events: Object.keys(RESEND_EVENT_TYPES),
  models: { email_events: emailEventModel },
  async handle(ctx, event) {
    const parsed = body.safeParse(event.payload);
    if (!parsed.success) {
      ctx.log.warn({ type: event.type }, 'not a Resend email event: left to the raw event');
      return;
    }
    const record = toEmailEvent(parsed.data as ResendEmailEventBody);
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
