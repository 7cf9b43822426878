import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { cursorAfter, idParam, pageLimit, pageOf, timestamp } from './schemas.ts';

/**
 * An endpoint as the API shows it: never its signing secret, and never the values of headers
 * that carry credentials (`authorization`, `x-api-key`…), only their names.
 */
export const endpointSchema = z
  .object({
    id: z.string().meta({ example: 'ep_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    environmentId: z.string(),
    url: z.string().meta({ example: 'https://app.example.com/webhooks/patchbay' }),
    description: z.string().nullable(),
    eventTypes: z
      .array(z.string())
      .nullable()
      .meta({ description: 'Exact types or `prefix.*`; null means every event type.' }),
    channels: z.array(z.string()).nullable().meta({
      description:
        'Null: every message. Otherwise only messages carrying one of these channels (a message without channels does not reach this endpoint).',
    }),
    headers: z.record(z.string(), z.string()).meta({
      description:
        'Extra request headers sent with each delivery, except those listed in `sensitiveHeaders`.',
    }),
    sensitiveHeaders: z.array(z.string()).meta({
      description: 'Names of custom headers whose values are credentials: they are sent, but never shown.',
    }),
    rateLimitPerSecond: z.number().int().nullable(),
    maxConcurrency: z.number().int(),
    enabled: z.boolean(),
    disabledReason: z.enum(['manual', 'gone', 'failing']).nullable().meta({
      description:
        '`manual`: by you; `gone`: the receiver answered 410; `failing`: no success for the auto-disable window.',
    }),
    failingSince: timestamp.nullable().meta({ description: 'First failed attempt since the last success.' }),
    lastSuccessAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Endpoint' });

const secretSchema = z.string().meta({
  description: 'The signing secret: configure your receiver with it (Standard Webhooks, `whsec_…`).',
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
});

const endpointSecretSchema = z.object({ secret: secretSchema }).meta({ id: 'EndpointSecret' });

/** An endpoint just created: the only endpoint answer that contains its secret. */
export const createdEndpointSchema = endpointSchema
  .extend({ secret: secretSchema })
  .meta({ id: 'CreatedEndpoint' });

const eventType = z
  .string()
  .min(1)
  .max(200)
  .meta({ example: 'connection.created', description: 'An event type, or `prefix.*`.' });
const channel = z.string().min(1).max(128).meta({ example: 'user_42' });

const createBody = z.strictObject({
  url: z.string().min(1).max(2000).meta({ example: 'https://app.example.com/webhooks/patchbay' }),
  description: z.string().max(1000).nullable().optional(),
  eventTypes: z
    .array(eventType)
    .max(100)
    .nullable()
    .optional()
    .meta({ description: 'Default null: every type.' }),
  channels: z
    .array(channel)
    .max(10)
    .nullable()
    .optional()
    .meta({ description: 'Default null: every message.' }),
  headers: z.record(z.string().min(1).max(100), z.string().max(4096)).optional().meta({
    description:
      'At most 20. Names are RFC 9110 tokens; values are visible ASCII, spaces and tabs (no line breaks, control or non-ASCII characters). `host`, `content-*`, `user-agent`, hop-by-hop and `webhook-*` headers are refused.',
  }),
  rateLimitPerSecond: z.number().int().min(1).max(10_000).nullable().optional(),
  maxConcurrency: z.number().int().min(1).max(100).optional().meta({ description: 'Default 10.' }),
  secret: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'A `whsec_…` secret to use (24 to 64 bytes); generated when left out.' }),
});

const updateBody = createBody
  .omit({ secret: true })
  .partial()
  .extend({
    enabled: z
      .boolean()
      .optional()
      .meta({ description: 'Enabling clears an automatic disable and its failure streak.' }),
  });

const id = z.object({ id: idParam('endpoint') });

export const listEndpoints = defineOperation({
  id: 'listEndpoints',
  method: 'GET',
  path: '/v1/endpoints',
  summary: "List the environment's webhook endpoints",
  description: 'Oldest first. Pass `nextAfter` of a page as `after` to get the next one.',
  tag: 'Endpoints',
  auth: 'apiKey',
  query: z.strictObject({
    after: cursorAfter('endpoint'),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(endpointSchema),
  errors: [],
});

export const createEndpoint = defineOperation({
  id: 'createEndpoint',
  method: 'POST',
  path: '/v1/endpoints',
  summary: 'Add a webhook endpoint',
  description:
    'Events of the environment that pass the endpoint’s filters are delivered to its URL, signed with its secret (Standard Webhooks). The answer holds the secret; it can be read again with GET /v1/endpoints/{id}/secret.',
  tag: 'Endpoints',
  auth: 'apiKey',
  body: createBody,
  status: 201,
  response: createdEndpointSchema,
  errors: [],
});

export const getEndpoint = defineOperation({
  id: 'getEndpoint',
  method: 'GET',
  path: '/v1/endpoints/:id',
  summary: 'Get a webhook endpoint',
  tag: 'Endpoints',
  auth: 'apiKey',
  params: id,
  status: 200,
  response: endpointSchema,
  errors: ['not_found'],
});

export const updateEndpoint = defineOperation({
  id: 'updateEndpoint',
  method: 'PATCH',
  path: '/v1/endpoints/:id',
  summary: 'Update a webhook endpoint',
  description:
    'Fields left out stay as they are; `null` clears a nullable field. `headers` replaces the whole set (include the sensitive ones you want to keep).',
  tag: 'Endpoints',
  auth: 'apiKey',
  params: id,
  body: updateBody,
  status: 200,
  response: endpointSchema,
  errors: ['not_found'],
});

export const deleteEndpoint = defineOperation({
  id: 'deleteEndpoint',
  method: 'DELETE',
  path: '/v1/endpoints/:id',
  summary: 'Delete a webhook endpoint',
  description: 'Deletes the endpoint with its messages and delivery attempts.',
  tag: 'Endpoints',
  auth: 'apiKey',
  params: id,
  status: 200,
  response: z.object({ id: z.string(), deleted: z.literal(true) }),
  errors: ['not_found'],
});

export const getEndpointSecret = defineOperation({
  id: 'getEndpointSecret',
  method: 'GET',
  path: '/v1/endpoints/:id/secret',
  summary: "Read a webhook endpoint's signing secret",
  tag: 'Endpoints',
  auth: 'apiKey',
  params: id,
  status: 200,
  response: endpointSecretSchema,
  errors: ['not_found'],
});

export const rotateEndpointSecret = defineOperation({
  id: 'rotateEndpointSecret',
  method: 'POST',
  path: '/v1/endpoints/:id/secret/rotate',
  summary: "Rotate a webhook endpoint's signing secret",
  description:
    'Deliveries are signed with the new secret and, during the grace period (default 24 hours), also with the old one, so receivers can switch without losing a message.',
  tag: 'Endpoints',
  auth: 'apiKey',
  params: id,
  body: z
    .strictObject({
      secret: z
        .string()
        .max(200)
        .optional()
        .meta({ description: 'The new `whsec_…` secret; generated when left out.' }),
      graceSeconds: z
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 3600)
        .optional()
        .meta({ description: 'How long the old secret keeps signing: 0 to 604800 seconds; default 86400.' }),
    })
    // No body at all arrives as null: a rotation with the defaults.
    .nullish(),
  status: 200,
  response: endpointSecretSchema,
  errors: ['not_found', 'conflict'],
});
