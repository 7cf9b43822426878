import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { cursorAfter, listOf, pageLimit, pageOf, timestamp } from './schemas.ts';

/** An event of the environment, as the log and the stream show it. */
export const eventSchema = z
  .object({
    id: z.string().meta({ example: 'evt_01jz8x7y6w5v4t3s2r1q0p9n8m' }),
    type: z.string().meta({ example: 'connection.created' }),
    data: z.record(z.string(), z.unknown()),
    createdAt: timestamp,
  })
  .meta({ id: 'Event' });

export const eventTypeSchema = z
  .object({
    type: z.string().meta({ example: 'connection.created' }),
    pattern: z.string().nullable().meta({
      description: 'For a family of types (`inbound.<provider>.<type>`): the regular expression they match.',
    }),
    description: z.string(),
    schema: z.record(z.string(), z.unknown()).meta({ description: 'The JSON Schema of `data`.' }),
    example: z.record(z.string(), z.unknown()).meta({ description: 'An example `data`.' }),
  })
  .meta({ id: 'EventType' });

export const listEventTypes = defineOperation({
  id: 'listEventTypes',
  method: 'GET',
  path: '/v1/event-types',
  summary: 'List the event types Patchbay emits, with the JSON Schema of their data',
  tag: 'Events',
  auth: 'apiKey',
  status: 200,
  response: listOf(eventTypeSchema),
  errors: [],
});

export const listEvents = defineOperation({
  id: 'listEvents',
  method: 'GET',
  path: '/v1/events',
  summary: "List the environment's events",
  description:
    'Oldest first. Pass `nextAfter` of a page as `after` to get the next one. For a live feed, `GET /v1/events/stream` (Server-Sent Events, resumable with `Last-Event-ID`).',
  tag: 'Events',
  auth: 'apiKey',
  query: z.strictObject({
    after: cursorAfter('event'),
    type: z.string().min(1).max(200).optional().meta({ description: 'An exact type, or `prefix.*`.' }),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(eventSchema),
  errors: [],
});
