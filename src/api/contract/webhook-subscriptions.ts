import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { idParam, timestamp } from './schemas.ts';

const STATUSES = [
  'not_managed',
  'pending',
  'registered',
  'failed',
  'removing',
  'removed',
  'removal_failed',
] as const;

/** A connection's provider webhook subscriptions, as the engine manages them: never a secret or the URL. */
export const webhookSubscriptionsSchema = z
  .object({
    connectionId: z.string(),
    provider: z.string().meta({ example: 'stripe-api-key' }),
    managed: z.boolean().meta({
      description:
        "Whether Patchbay registers this connection's webhooks at the provider (false when its provider has no `webhooks/subscriptions` script, or the script does not apply to it, like Stripe Connect's connections, served by the platform's endpoint).",
    }),
    status: z.enum(STATUSES).meta({
      description:
        '`pending` until first registered, `registered`, `failed` while registering or repairing fails (retried; `error` says why); after the connection was deleted `removing`, then `removed`, or `removal_failed` when the provider could not be asked to remove them.',
    }),
    topics: z.array(z.string()).meta({
      description: "The provider's event types the connection subscribes to.",
      example: ['invoice.paid'],
    }),
    subscriptions: z
      .array(
        z.object({
          id: z.string().meta({ description: "The provider's id of the subscription.", example: 'we_1PXYZ' }),
          topics: z.array(z.string()),
        }),
      )
      .meta({ description: 'The subscriptions at the provider.' }),
    hasSecret: z.boolean().meta({
      description:
        "Whether the provider returned a signing secret, kept encrypted to verify the connection's deliveries.",
    }),
    error: z.object({ code: z.string(), message: z.string() }).nullable().meta({
      description: 'Why the last attempt failed, e.g. `provider_error` (the message has its status).',
    }),
    failures: z.number().int().meta({ description: 'Consecutive failed attempts.' }),
    registeredAt: timestamp.nullable(),
    checkedAt: timestamp
      .nullable()
      .meta({ description: "When the provider's subscriptions were last checked." }),
    removedAt: timestamp.nullable(),
  })
  .meta({ id: 'WebhookSubscriptions' });

export const getWebhookSubscriptions = defineOperation({
  id: 'getWebhookSubscriptions',
  method: 'GET',
  path: '/v1/connections/:id/webhook-subscriptions',
  summary: "A connection's webhook subscriptions at the provider",
  description:
    'For providers whose webhooks Patchbay registers per connection (their folder has `webhooks/subscriptions.ts`). Answers also for a deleted connection while its subscriptions are being removed, and for 30 days after.',
  tag: 'Inbound events',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  status: 200,
  response: webhookSubscriptionsSchema,
  errors: ['not_found'],
});

export const checkWebhookSubscriptions = defineOperation({
  id: 'checkWebhookSubscriptions',
  method: 'POST',
  path: '/v1/connections/:id/webhook-subscriptions/check',
  summary: "Check a connection's webhook subscriptions at the provider now",
  description:
    "Queues what the scheduled check does: lists the provider's subscriptions and repairs a missing, disabled or changed one. 409 `conflict` when Patchbay manages none for the connection.",
  tag: 'Inbound events',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  status: 202,
  response: webhookSubscriptionsSchema,
  errors: ['not_found', 'conflict'],
});
