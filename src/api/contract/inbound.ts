import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { cursorAfter, idParam, instant, pageLimit, pageOf, timestamp } from './schemas.ts';

const STATUSES = ['received', 'processed', 'unrouted', 'failed'] as const;

/** A verified provider delivery (or one item of a batch delivery). */
export const inboundEventSchema = z
  .object({
    id: z.string().meta({ example: 'in_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    integrationId: z.string(),
    integrationKey: z.string().meta({ example: 'stripe' }),
    provider: z.string().meta({ example: 'stripe' }),
    providerEventId: z.string().nullable().meta({ example: 'evt_1PXYZ' }),
    eventType: z
      .string()
      .nullable()
      .meta({ example: 'invoice.paid', description: "The provider's own type." }),
    status: z.enum(STATUSES).meta({
      description:
        '`received` until processed; `unrouted` when no connection matched its routing value (reprocess it once the connection exists); `failed` after repeated processing errors.',
    }),
    connectionIds: z.array(z.string()),
    attempts: z.number().int(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    receivedAt: timestamp,
    processedAt: timestamp.nullable(),
  })
  .meta({ id: 'InboundEvent' });

export const inboundEventDetailSchema = inboundEventSchema
  .extend({
    contentType: z.string().nullable(),
    headers: z.record(z.string(), z.string()).meta({
      description: 'The headers that verified and identified it (never cookies or authorization).',
    }),
    payload: z.object({
      kind: z.enum(['json', 'form', 'text']),
      value: z.unknown().meta({ description: 'The body: parsed JSON, form fields, or text.' }),
      reason: z.enum(['invalid_json', 'json_too_deep']).optional().meta({
        description:
          'Why a body sent as JSON is shown as text: it does not parse, or it nests objects and arrays deeper than 64 levels (stored by a version before the limit).',
      }),
    }),
  })
  .meta({ id: 'InboundEventDetail' });

export const listInboundEvents = defineOperation({
  id: 'listInboundEvents',
  method: 'GET',
  path: '/v1/inbound-events',
  summary: 'List verified provider webhooks received',
  description: 'Oldest first. Pass `nextAfter` of a page as `after` to get the next one.',
  tag: 'Inbound events',
  auth: 'apiKey',
  query: z.strictObject({
    integration: z.string().min(1).max(100).optional().meta({ description: 'An integration id or key.' }),
    status: z.enum(STATUSES).optional(),
    type: z.string().min(1).max(200).optional().meta({ description: "The provider's event type, exact." }),
    connection: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'A connection id it was routed to.' }),
    since: instant.optional().meta({ description: 'Received at or after this instant.' }),
    until: instant.optional().meta({ description: 'Received before this instant.' }),
    after: cursorAfter('inbound event'),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(inboundEventSchema),
  errors: [],
});

export const getInboundEvent = defineOperation({
  id: 'getInboundEvent',
  method: 'GET',
  path: '/v1/inbound-events/:id',
  summary: 'Get one inbound event with its payload',
  tag: 'Inbound events',
  auth: 'apiKey',
  params: z.object({ id: idParam('inboundEvent') }),
  status: 200,
  response: inboundEventDetailSchema,
  errors: ['not_found'],
});

export const reprocessInboundEvent = defineOperation({
  id: 'reprocessInboundEvent',
  method: 'POST',
  path: '/v1/inbound-events/:id/reprocess',
  summary: 'Process an inbound event again',
  description:
    'Routes it afresh and emits `inbound.<provider>.<type>` again (also when it was processed before). Processing runs in the background.',
  tag: 'Inbound events',
  auth: 'apiKey',
  params: z.object({ id: idParam('inboundEvent') }),
  status: 202,
  response: z.object({ id: z.string(), status: z.enum(STATUSES) }),
  errors: ['not_found'],
});

export const getIntegrationWebhookUrl = defineOperation({
  id: 'getIntegrationWebhookUrl',
  method: 'GET',
  path: '/v1/integrations/:idOrKey/webhook-url',
  summary: "The URL to register at the provider for the integration's webhooks",
  description:
    "When deliveries are told apart by their URL (`perConnection: true`: unsigned providers, and providers whose signing secret is per connection), register each connection's own URL instead, issued by `POST /v1/connections/{id}/webhook-token`.",
  tag: 'Inbound events',
  auth: 'apiKey',
  params: z.object({
    idOrKey: z.string().min(1).max(100).meta({ description: 'The integration id (`int_…`) or its key.' }),
  }),
  status: 200,
  response: z.object({
    url: z.string(),
    scheme: z.string().meta({
      example: 'hmac',
      description:
        'How deliveries are verified: `hmac`, `standard_webhooks`, `provider_api`, `ecdsa_p256` or `url_token`.',
    }),
    preset: z.string().nullable().meta({
      example: 'stripe',
      description: "The provider's parameter set of the `hmac` scheme, when the definition names one.",
    }),
    secretFrom: z.enum(['integration', 'client_secret', 'connection']),
    perConnection: z.boolean(),
  }),
  errors: ['not_found'],
});

export const issueConnectionWebhookToken = defineOperation({
  id: 'issueConnectionWebhookToken',
  method: 'POST',
  path: '/v1/connections/:id/webhook-token',
  summary: "Issue a connection's webhook URL (replacing an earlier one)",
  description: 'The URL contains a secret token and is shown only in this answer; only its hash is stored.',
  tag: 'Inbound events',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  status: 201,
  response: z.object({ connectionId: z.string(), url: z.string() }),
  errors: ['not_found', 'validation_failed'],
});

export const setConnectionWebhookSecret = defineOperation({
  id: 'setConnectionWebhookSecret',
  method: 'PUT',
  path: '/v1/connections/:id/webhook-secret',
  summary: "Set the key that verifies a connection's webhooks",
  description: 'For providers whose signing secret is per connection. `null` clears it.',
  tag: 'Inbound events',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  body: z.strictObject({ secret: z.string().min(1).max(1000).nullable() }),
  status: 200,
  response: z.object({ connectionId: z.string(), hasWebhookSecret: z.boolean() }),
  errors: ['not_found', 'validation_failed'],
});
