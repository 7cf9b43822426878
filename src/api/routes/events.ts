import { once } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PatchbayError } from '../../errors/index.ts';
import {
  EVENT_TYPE_DEFINITIONS,
  type EventStream,
  eventDataJsonSchema,
  listEvents,
  type StoredEvent,
} from '../../events/index.ts';
import { parseId } from '../../ids/index.ts';
import type { Store } from '../../store/index.ts';
import { isoTime } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { startRawStream } from '../core/raw-stream.ts';
import { requireAuth } from '../core/request-auth.ts';
import { type RouteModule, route } from '../core/routes.ts';

export interface EventRoutesOptions {
  store: Pick<Store, 'db'>;
  /** Followed by `GET /v1/events/stream`; nudge it when this process writes events. */
  stream: EventStream;
  /** A comment line keeps idle connections (and proxies) open. Default 15 s. */
  heartbeatMs?: number;
}

const DEFAULT_PAGE = 50;

/**
 * `/v1/event-types`, `/v1/events` and `/v1/events/stream`: the catalog, the environment's event
 * log, and the same log live as Server-Sent Events.
 */
export function eventRoutes(options: EventRoutesOptions): RouteModule {
  const types = EVENT_TYPE_DEFINITIONS.map((definition) => ({
    type: definition.type,
    pattern: definition.pattern?.source ?? null,
    description: definition.description,
    schema: eventDataJsonSchema(definition),
    example: definition.example as Record<string, unknown>,
  }));
  return {
    name: 'events',
    routes: [
      route(contract.events.types, () => ({ data: types })),
      route(contract.events.list, async ({ auth, query }) => {
        if (query.after !== undefined) parseId('event', query.after);
        const limit = query.limit ?? DEFAULT_PAGE;
        const rows = await listEvents(options.store.db, auth.environment.id, {
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.type === undefined ? {} : { type: query.type }),
          limit: limit + 1,
        });
        const page = rows.slice(0, limit);
        return { data: page.map(presentEvent), nextAfter: rows.length > limit ? page.at(-1)!.id : null };
      }),
    ],
    register(app) {
      registerStream(app, options);
    },
  };
}

/** An event as the API shows it. */
export function presentEvent(event: StoredEvent): ResponseOf<typeof contract.events.list>['data'][number] {
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    createdAt: isoTime(event.createdAt),
  };
}

/**
 * The SSE route. It answers outside Fastify's reply cycle (hijacked), so it ends every open
 * stream itself when the server closes (`preClose`), else `app.close()` would wait for them.
 */
function registerStream(app: FastifyInstance, options: EventRoutesOptions): void {
  const open = new Map<AbortController, Promise<void>>();
  // Ends the streams and waits until each has written its end: the server then sees their
  // connections idle and closes them, instead of waiting for the clients to hang up.
  app.addHook('preClose', async () => {
    for (const controller of open.keys()) controller.abort();
    await Promise.allSettled(open.values());
  });
  app.get(
    '/v1/events/stream',
    {
      config: { auth: 'apiKey' },
      schema: {
        summary: "Follow the environment's events live (Server-Sent Events)",
        description:
          'A `text/event-stream` of events in id order: `id: <event id>`, `event: <type>`, `data: <the event as JSON>`. Without `Last-Event-ID` (header, or the `lastEventId` query parameter) it starts with events committed after it opened; with one, right after that event. A comment line is sent every 15 s. `HEAD` answers at once with the same status and headers and no body.',
        tags: ['Events'],
        security: [{ bearerAuth: [] }],
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const after = lastEventIdOf(request);
      const controller = new AbortController();
      const serving = serveStream(request, reply, options, auth.environment.id, after, controller);
      open.set(controller, serving);
      try {
        await serving;
      } finally {
        open.delete(controller);
      }
    },
  );
}

async function serveStream(
  request: FastifyRequest,
  reply: FastifyReply,
  options: EventRoutesOptions,
  environmentId: string,
  after: string | null,
  controller: AbortController,
): Promise<void> {
  const { signal } = controller;
  const raw = startRawStream(request, reply, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Proxies such as nginx would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  // HEAD: answered with the stream's headers, nothing to follow.
  if (!raw) return;
  raw.on('close', () => controller.abort());
  // Clients reconnect after 2 s, sending the last id they received.
  raw.write('retry: 2000\n\n');
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
  let sent = 0;
  try {
    for await (const page of options.stream.follow(environmentId, after, signal)) {
      for (const event of page) {
        const ok = raw.write(
          `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(presentEvent(event))}\n\n`,
        );
        sent += 1;
        if (!ok) await once(raw, 'drain', { signal });
      }
    }
  } catch (error) {
    if (!signal.aborted) request.log.warn({ err: error }, 'event stream failed');
  } finally {
    clearInterval(heartbeat);
    raw.end();
    request.log.info(
      {
        route: '/v1/events/stream',
        environmentId,
        eventsSent: sent,
        durationMs: Math.round(reply.elapsedTime),
      },
      'event stream closed',
    );
  }
}

/** `Last-Event-ID` (header, else the `lastEventId` query parameter): an event id, or null. */
function lastEventIdOf(request: FastifyRequest): string | null {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.lastEventId;
  const value =
    typeof header === 'string' && header !== '' ? header : typeof query === 'string' ? query : null;
  if (value === null || value === '') return null;
  if (value.length > 100) throw new PatchbayError('invalid_id', 'Last-Event-ID must be an event id (evt_…)');
  return parseId('event', value);
}
