import { defineWebhookHandler, z } from '../../../../src/scripts/index.ts';

/**
 * The Page's messaging webhooks as events. The inbound layer splits Meta's `entry` batch into one
 * event per entry (one Page, `{ id, time, messaging: [...] }`, untyped: Meta names no type), and
 * each entry may carry several `messaging` items:
 * - `message` (a person wrote to the Page) → `message.received`;
 * - `delivery` (messages up to `watermark` reached the person) → `message.delivered`;
 * - `read` (the person read messages up to `watermark`) → `message.read`.
 * Echoes (`message.is_echo`, the Page's own messages, sent only to apps subscribed to
 * `message_echoes`) are ignored: what the Page sends through Patchbay is reported by the action
 * as `message.sent` already. Postbacks, reactions and feed `changes` are left to the raw
 * `inbound.facebook-messenger.event` event. Times are epoch milliseconds
 * (https://developers.facebook.com/docs/messenger-platform/webhooks).
 */
const party = z.object({ id: z.string().min(1) });
const millis = z.number().int().nonnegative();

const messageItem = z.object({
  sender: party,
  timestamp: millis,
  message: z.object({
    mid: z.string().min(1),
    text: z.string().optional(),
    is_echo: z.boolean().optional(),
    attachments: z.array(z.object({ type: z.string() })).optional(),
  }),
});
const deliveryItem = z.object({
  sender: party,
  delivery: z.object({ mids: z.array(z.string()).optional(), watermark: millis }),
});
const readItem = z.object({ sender: party, read: z.object({ watermark: millis }) });

const entry = z.object({ messaging: z.array(z.unknown()).optional() });

const iso = (ms: number) => new Date(ms).toISOString();

export default defineWebhookHandler({
  name: 'messaging',
  description: 'Messages to the Page, deliveries and reads become message.* events',
  events: ['*'],
  models: {},
  async handle(ctx, event) {
    const parsed = entry.safeParse(event.payload);
    if (!parsed.success) return;
    for (const item of parsed.data.messaging ?? []) {
      const message = messageItem.safeParse(item);
      if (message.success) {
        const { sender, timestamp, message: body } = message.data;
        if (body.is_echo) continue;
        ctx.events.emit('message.received', {
          messageId: body.mid,
          senderId: sender.id,
          text: body.text ?? null,
          attachments: (body.attachments ?? []).map((attachment) => attachment.type),
          sentAt: iso(timestamp),
        });
        continue;
      }
      const delivery = deliveryItem.safeParse(item);
      if (delivery.success) {
        // The person's devices received them: the person is the sender of this notification.
        ctx.events.emit('message.delivered', {
          recipientId: delivery.data.sender.id,
          messageIds: delivery.data.delivery.mids ?? [],
          watermark: iso(delivery.data.delivery.watermark),
        });
        continue;
      }
      const read = readItem.safeParse(item);
      if (read.success) {
        ctx.events.emit('message.read', {
          recipientId: read.data.sender.id,
          watermark: iso(read.data.read.watermark),
        });
      }
    }
  },
});
