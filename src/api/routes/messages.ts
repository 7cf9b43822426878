import { PatchbayError } from '../../errors/index.ts';
import type { Attempt, Message, MessagesService } from '../../outbound/types.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `/v1/messages` and endpoint recovery: the delivery log and replay of the calling key's environment. */
export function messageRoutes(messages: MessagesService): RouteModule {
  return {
    name: 'messages',
    routes: [
      route(contract.messages.create, async ({ auth, body, request }) => {
        const idempotencyKey = idempotencyKeyOf(request.headers['idempotency-key'], body.idempotencyKey);
        const created = await messages.create(auth.environment.id, {
          eventType: body.eventType,
          data: body.data,
          channels: body.channels ?? null,
          idempotencyKey,
        });
        return { data: created.map(presentMessage) };
      }),
      route(contract.messages.list, async ({ auth, query }) => {
        const { data, nextAfter } = await messages.list(auth.environment.id, {
          ...(query.endpointId === undefined ? {} : { endpointId: query.endpointId }),
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.eventType === undefined ? {} : { eventType: query.eventType }),
          ...(query.since === undefined ? {} : { since: parseInstant('since', query.since) }),
          ...(query.until === undefined ? {} : { until: parseInstant('until', query.until) }),
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        });
        return { data: data.map(presentMessage), nextAfter };
      }),
      route(contract.messages.get, async ({ auth, params }) =>
        presentMessage(await messages.get(auth.environment.id, params.id)),
      ),
      route(contract.messages.attempts, async ({ auth, params, query }) => {
        const { data, nextAfter } = await messages.attempts(auth.environment.id, params.id, {
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        });
        return { data: data.map(presentAttempt), nextAfter };
      }),
      route(contract.messages.resend, async ({ auth, params }) => {
        await messages.resend(auth.environment.id, params.id);
        return { id: params.id, queued: true as const };
      }),
      route(contract.messages.recover, async ({ auth, params, body }) =>
        messages.recover(auth.environment.id, params.id, parseInstant('since', body.since), body.limit),
      ),
    ],
  };
}

/** The key from the header or the body; both may be given only when they agree. */
function idempotencyKeyOf(header: string | string[] | undefined, field: string | undefined): string | null {
  if (Array.isArray(header)) throw invalid('Idempotency-Key', 'send one Idempotency-Key header');
  if (header !== undefined && (header.length === 0 || header.length > 255)) {
    throw invalid('Idempotency-Key', 'the Idempotency-Key header must be 1 to 255 characters');
  }
  if (header !== undefined && field !== undefined && header !== field) {
    throw invalid(
      'idempotencyKey',
      'the Idempotency-Key header and the idempotencyKey field differ; send one',
    );
  }
  return header ?? field ?? null;
}

/** An ISO 8601 instant as epoch ms; `validation_failed` naming the field otherwise. */
function parseInstant(field: string, value: string): number {
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time))
    throw invalid(field, `${field} must be an ISO 8601 instant, e.g. 2026-01-01T00:00:00Z`);
  return time;
}

function invalid(path: string, message: string): PatchbayError {
  return new PatchbayError('validation_failed', message, { details: { issues: [{ path, message }] } });
}

/** A message as the API shows it. */
export function presentMessage(message: Message): ResponseOf<typeof contract.messages.get> {
  return {
    id: message.id,
    environmentId: message.environmentId,
    endpointId: message.endpointId,
    eventId: message.eventId,
    eventType: message.eventType,
    channels: message.channels,
    payload: message.payload,
    status: message.status,
    attempts: message.attempts,
    nextAttemptAt: isoTimeOrNull(message.nextAttemptAt),
    lastAttemptAt: isoTimeOrNull(message.lastAttemptAt),
    createdAt: isoTime(message.createdAt),
  };
}

/** An attempt as the API shows it. */
export function presentAttempt(
  attempt: Attempt,
): ResponseOf<typeof contract.messages.attempts>['data'][number] {
  return { ...attempt, createdAt: isoTime(attempt.createdAt) };
}
