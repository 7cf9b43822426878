import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { cursorAfter, idParam, instant, listOf, pageLimit, pageOf, timestamp } from './schemas.ts';

const STATUSES = ['pending', 'succeeded', 'failed'] as const;

/** One event for one endpoint, with its delivery state. */
export const messageSchema = z
  .object({
    id: z.string().meta({ example: 'msg_01jz8x7y6w5v4t3s2r1q0p9n8m', description: 'Sent as `webhook-id`.' }),
    environmentId: z.string(),
    endpointId: z.string(),
    eventId: z
      .string()
      .nullable()
      .meta({ description: 'The engine event it delivers; null for messages created through the API.' }),
    eventType: z.string().meta({ example: 'connection.created' }),
    channels: z.array(z.string()).nullable(),
    payload: z
      .object({ type: z.string(), timestamp, data: z.record(z.string(), z.unknown()) })
      .meta({ description: 'The delivered body.' }),
    status: z.enum(STATUSES).meta({
      description:
        '`pending` while attempts remain, `succeeded` after a 2xx, `failed` when the schedule is exhausted.',
    }),
    attempts: z.number().int(),
    nextAttemptAt: timestamp.nullable(),
    lastAttemptAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Message' });

/** One HTTP delivery attempt. */
export const attemptSchema = z
  .object({
    id: z.string(),
    messageId: z.string(),
    endpointId: z.string(),
    attempt: z.number().int().meta({ description: '1 for the first attempt.' }),
    trigger: z.enum(['scheduled', 'manual']),
    status: z.enum(['succeeded', 'failed']),
    responseStatus: z.number().int().nullable(),
    responseBody: z
      .string()
      .nullable()
      .meta({ description: 'The start of the response body (at most 4 KiB).' }),
    durationMs: z.number().int(),
    errorCode: z.string().nullable().meta({ example: 'timeout' }),
    errorMessage: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Attempt' });

export const createMessage = defineOperation({
  id: 'createMessage',
  method: 'POST',
  path: '/v1/messages',
  summary: 'Send an event of your own to the matching endpoints',
  description:
    'Fans the event out now to every enabled endpoint whose event-type filter and channels match, and answers the messages created (none when no endpoint matches). Any lower-case dotted type works (`order.shipped`) except the prefixes of Patchbay’s own events (`connection.`, `endpoint.`, `sync.`, `records.`, `inbound.`, `invoice.`, `action.`), answered `event_type_reserved`. With an idempotency key (the `idempotencyKey` field or the `Idempotency-Key` header), a repeat answers the messages of the first call and sends nothing again.',
  tag: 'Messages',
  auth: 'apiKey',
  body: z.strictObject({
    eventType: z.string().min(1).max(200).meta({ example: 'order.shipped' }),
    data: z.record(z.string(), z.unknown()).meta({ description: 'The event data, sent as `data`.' }),
    channels: z.array(z.string().min(1).max(128)).max(10).nullable().optional().meta({
      description: 'Only endpoints without a channel filter, or sharing one of these channels, receive it.',
    }),
    idempotencyKey: z.string().min(1).max(255).optional(),
  }),
  status: 201,
  response: listOf(messageSchema),
  errors: ['event_type_reserved'],
});

export const listMessages = defineOperation({
  id: 'listMessages',
  method: 'GET',
  path: '/v1/messages',
  summary: 'List messages (the delivery log)',
  description: 'Oldest first. Pass `nextAfter` of a page as `after` to get the next one.',
  tag: 'Messages',
  auth: 'apiKey',
  query: z.strictObject({
    endpointId: z.string().min(1).max(100).optional(),
    status: z.enum(STATUSES).optional(),
    eventType: z.string().min(1).max(200).optional().meta({ description: 'An exact type, or `prefix.*`.' }),
    since: instant.optional().meta({ description: 'Created at or after this instant.' }),
    until: instant.optional().meta({ description: 'Created before this instant.' }),
    after: cursorAfter('message'),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(messageSchema),
  errors: [],
});

export const getMessage = defineOperation({
  id: 'getMessage',
  method: 'GET',
  path: '/v1/messages/:id',
  summary: 'Get a message',
  tag: 'Messages',
  auth: 'apiKey',
  params: z.object({ id: idParam('message') }),
  status: 200,
  response: messageSchema,
  errors: ['not_found'],
});

export const listMessageAttempts = defineOperation({
  id: 'listMessageAttempts',
  method: 'GET',
  path: '/v1/messages/:id/attempts',
  summary: 'List the delivery attempts of a message',
  description: 'Oldest first, with the response status, the start of the response body, duration and error.',
  tag: 'Messages',
  auth: 'apiKey',
  params: z.object({ id: idParam('message') }),
  query: z.strictObject({ after: cursorAfter('attempt'), limit: pageLimit }),
  status: 200,
  response: pageOf(attemptSchema),
  errors: ['not_found'],
});

export const resendMessage = defineOperation({
  id: 'resendMessage',
  method: 'POST',
  path: '/v1/messages/:id/resend',
  summary: 'Resend a message',
  description:
    'Queues one manual attempt now, whatever the message’s status. A manual attempt schedules no retries.',
  tag: 'Messages',
  auth: 'apiKey',
  params: z.object({ id: idParam('message') }),
  status: 202,
  response: z.object({ id: z.string(), queued: z.literal(true) }),
  errors: ['not_found'],
});

export const recoverEndpoint = defineOperation({
  id: 'recoverEndpointMessages',
  method: 'POST',
  path: '/v1/endpoints/:id/recover',
  summary: "Resend an endpoint's failed messages since a time",
  description:
    'In the background, resends (one manual attempt each) every failed message of the endpoint created since `since`, at most `limit` (default and maximum 10,000). Answers how many are queued.',
  tag: 'Messages',
  auth: 'apiKey',
  params: z.object({ id: idParam('endpoint') }),
  body: z.strictObject({
    since: instant,
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  status: 202,
  response: z.object({ queued: z.number().int() }),
  errors: ['not_found'],
});
