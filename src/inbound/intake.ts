/**
 * `POST /webhooks/<environment id>/<integration key>[/<url token>]`: where providers deliver.
 * The body is read as raw bytes (any content type, byte-exact, never re-serialized), verified by
 * the definition's scheme, stored durably and deduplicated — and only then answered 200, so an
 * event Patchbay acknowledged is never lost. A store failure answers 503 and the provider retries.
 * `GET` on the same URLs answers set-up handshakes (Meta's hub challenge, Mailchimp's ping).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { RouteModule } from '../api/core/routes.ts';
import type { Webhooks } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import type { ResolvedIntegration } from '../connections/contracts.ts';
import type { ConnectionsService } from '../connections/types.ts';
import { isPatchbayError, notFound, PatchbayError } from '../errors/index.ts';
import type { IntegrationsService } from '../integrations/types.ts';
import type { JobQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import { keptHeaders } from './headers.ts';
import { processDedupeKey } from './jobs.ts';
import { rejectionCounter } from './rejections.ts';
import { secretsFor } from './secrets.ts';
import type { InboundWriter, NewInboundEvent } from './store.ts';
import type {
  EventMeta,
  HandshakeAnswer,
  IncomingDelivery,
  ReadEventMeta,
  VerifyDelivery,
  VerifyDeps,
} from './types.ts';

/** The verification module's functions (src/inbound/verify), injected so tests can swap them. */
export interface Verifier {
  verifyDelivery: VerifyDelivery;
  answerHandshake: (
    webhooks: Webhooks,
    delivery: IncomingDelivery,
    secrets: readonly string[],
  ) => HandshakeAnswer | null | undefined;
  readEventMeta: ReadEventMeta;
}

export interface IntakeDeps {
  store: Pick<Store, 'db'>;
  integrations: Pick<IntegrationsService, 'resolve' | 'webhookSecret'>;
  connections: Pick<ConnectionsService, 'findByWebhookToken' | 'webhookSecrets'>;
  writer: InboundWriter;
  queue: Pick<JobQueue, 'enqueueMany'>;
  verifier: Verifier;
  clock: Clock;
  metrics: Registry;
  /** Where providers reach Patchbay (the URL they sign for Square and HubSpot). */
  publicUrl: string;
  /** Largest delivery accepted, bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** PayPal's verify-webhook-signature call (through the proxy), for `paypal_api` definitions. */
  /**
   * PayPal's verify-webhook-signature call for one connection (through the proxy, with that
   * connection's PayPal credentials). Without it, PayPal deliveries are refused.
   */
  paypalVerifyFor?: (environmentId: string, connectionId: string) => NonNullable<VerifyDeps['paypalVerify']>;
}

export const DEFAULT_INTAKE_BODY_LIMIT = 1024 * 1024;
/** Handshake answers are the bare challenge (or `ok`), as the providers expect. */
const HANDSHAKE_TYPE = 'text/plain; charset=utf-8';
const PREFIX = '/webhooks';

interface IntakeParams {
  environmentId: string;
  integrationKey: string;
  token?: string;
}

export function intakeRoutes(deps: IntakeDeps): RouteModule {
  const rejections = rejectionCounter(deps.metrics);
  const bodyLimit = deps.bodyLimit ?? DEFAULT_INTAKE_BODY_LIMIT;
  return {
    name: 'inbound-intake',
    register(app: FastifyInstance) {
      // Encapsulated: the raw-bytes parser applies to the intake only; the API keeps its JSON parser.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
        done(null, body),
      );
      app.addHook('onError', async (request, _reply, error) => {
        // Rejected before the handler ran (body over the limit): the provider is not known yet.
        if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          rejections.inc('unknown', 'payload_too_large');
          request.log.warn({ code: 'payload_too_large' }, 'inbound delivery rejected');
        }
      });
      for (const url of [
        `${PREFIX}/:environmentId/:integrationKey`,
        `${PREFIX}/:environmentId/:integrationKey/:token`,
      ]) {
        app.route({
          method: ['GET', 'POST'],
          url,
          bodyLimit,
          schema: { hide: true },
          config: { auth: 'none' },
          handler: (request, reply) => intake(deps, rejections, request, reply),
        });
      }
    },
  };
}

async function intake(
  deps: IntakeDeps,
  rejections: ReturnType<typeof rejectionCounter>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const params = request.params as IntakeParams;
  const { integration, webhooks } = await findIntegration(deps, params);
  const delivery = toDelivery(deps, request);
  const reject = (code: string, message: string): never => {
    rejections.inc(integration.provider, code);
    request.log.warn(
      { code, provider: integration.provider, integrationId: integration.id },
      'inbound delivery rejected',
    );
    throw new PatchbayError(code as 'webhook_signature_invalid', message);
  };

  if (delivery.method === 'POST') {
    const type = (delivery.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!acceptsContentType(webhooks.bodyFormat, type)) {
      reject(
        'unsupported_media_type',
        `This endpoint takes ${webhooks.bodyFormat === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'} bodies, as ${integration.provider} sends them`,
      );
    }
  }
  const { secrets, connectionIds } = await secretsFor(deps, integration, webhooks, delivery, params.token);

  if (delivery.method === 'GET') {
    // Meta's subscription check sends a verify token the host chose, not the signing key: it is
    // kept as the integration's webhook secret when the signatures use the app (client) secret.
    const handshakeSecrets =
      webhooks.handshake?.kind === 'hub_challenge'
        ? await handshakeTokens(deps, integration, webhooks, secrets)
        : secrets;
    const answer = deps.verifier.answerHandshake(webhooks, delivery, handshakeSecrets);
    if (!answer) throw notFound('Webhook handshake', integration.key);
    if (!answer.ok) return reject(answer.code, answer.message);
    return reply.code(200).type(HANDSHAKE_TYPE).send(answer.body);
  }

  if (webhooks.verification.scheme === 'url_token' && secrets.length === 0) {
    reject(
      'webhook_token_invalid',
      'The webhook URL token is missing or unknown; register the URL Patchbay issued',
    );
  }
  const paypalConnection =
    webhooks.verification.scheme === 'paypal_api' && connectionIds.length === 1
      ? connectionIds[0]
      : undefined;
  const connectionConfig = paypalConnection
    ? await connectionConfigOf(deps, integration.environmentId, paypalConnection)
    : undefined;
  const paypalVerify =
    paypalConnection && deps.paypalVerifyFor
      ? deps.paypalVerifyFor(integration.environmentId, paypalConnection)
      : undefined;
  const result = await deps.verifier.verifyDelivery(webhooks.verification, delivery, secrets, {
    ...(paypalVerify ? { paypalVerify } : {}),
    ...(connectionConfig ? { connectionConfig } : {}),
  });
  if (!result.ok) reject(result.code, result.message);

  const handshake = deps.verifier.answerHandshake(webhooks, delivery, secrets);
  if (handshake && !handshake.ok) reject(handshake.code, handshake.message);
  if (handshake?.ok) return reply.code(200).type(HANDSHAKE_TYPE).send(handshake.body);

  const metas = deps.verifier.readEventMeta(webhooks, delivery);
  const events = metas.map((meta) => toNewEvent(integration, webhooks, delivery, meta, connectionIds));
  let outcomes: Awaited<ReturnType<InboundWriter['store']>>;
  try {
    outcomes = await deps.writer.store(events);
  } catch (error) {
    request.log.error({ err: error, integrationId: integration.id }, 'inbound delivery could not be stored');
    throw new PatchbayError('inbound_store_unavailable', 'The delivery could not be stored; retry it', {
      cause: error,
    });
  }
  const stored = outcomes.flatMap((outcome) => (outcome.duplicate ? [] : [outcome.id]));
  if (stored.length > 0) {
    // After the commit; if this fails (or the process dies first), the sweep queues them.
    await deps.queue
      .enqueueMany(
        stored.map((id) => ({
          name: 'inbound.process',
          payload: { environmentId: integration.environmentId, inboundEventId: id },
          environmentId: integration.environmentId,
          dedupeKey: processDedupeKey(id),
        })),
      )
      .catch((error: unknown) =>
        request.log.warn({ err: error }, 'inbound processing not queued; the sweep will'),
      );
  }
  if (!webhooks.batch) {
    const [outcome] = outcomes;
    return reply.send(
      outcome?.duplicate ? { received: true, duplicate: true } : { received: true, id: outcome?.id },
    );
  }
  return reply.send({ received: true, ids: stored, duplicates: outcomes.length - stored.length });
}

async function findIntegration(
  deps: IntakeDeps,
  params: IntakeParams,
): Promise<{ integration: ResolvedIntegration; webhooks: Webhooks }> {
  let integration: ResolvedIntegration;
  try {
    integration = await deps.integrations.resolve(params.environmentId, params.integrationKey);
  } catch (error) {
    if (isPatchbayError(error) && error.status < 500)
      throw notFound('Integration', params.integrationKey.slice(0, 100));
    throw error;
  }
  const webhooks = integration.definition.webhooks;
  if (!webhooks) throw notFound('Webhook endpoint', params.integrationKey.slice(0, 100));
  return { integration, webhooks };
}

/** The URL's connection's config: PayPal's webhook id is kept there. */
async function connectionConfigOf(
  deps: IntakeDeps,
  environmentId: string,
  connectionId: string,
): Promise<Record<string, string> | undefined> {
  const row = await deps.store.db
    .selectFrom('connections')
    .select('connection_config')
    .where('environment_id', '=', environmentId)
    .where('id', '=', connectionId)
    .executeTakeFirst();
  return row ? (JSON.parse(row.connection_config) as Record<string, string>) : undefined;
}

function toDelivery(deps: IntakeDeps, request: FastifyRequest): IncomingDelivery {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const body = request.body;
  return {
    method: request.method.toUpperCase(),
    // As the provider called it: the public origin (and base path) with the path and query as sent.
    url: new URL(deps.publicUrl.replace(/\/+$/, '') + request.url),
    headers,
    rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
    receivedAt: deps.clock.now(),
  };
}

function acceptsContentType(format: Webhooks['bodyFormat'], type: string): boolean {
  if (format === 'form') return type === 'application/x-www-form-urlencoded';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function toNewEvent(
  integration: ResolvedIntegration,
  webhooks: Webhooks,
  delivery: IncomingDelivery,
  meta: EventMeta,
  connectionIds: readonly string[],
): NewInboundEvent {
  // A batch item is stored as its own JSON (the delivery as a whole was verified); a single
  // event keeps the raw bytes exactly.
  const body = webhooks.batch ? Buffer.from(JSON.stringify(meta.parsed ?? null)) : delivery.rawBody;
  const dedupeKey =
    meta.providerEventId !== null && meta.providerEventId !== ''
      ? `id:${meta.providerEventId}`
      : `sha256:${createHash('sha256').update(body).digest('hex')}`;
  return {
    environmentId: integration.environmentId,
    integrationId: integration.id,
    provider: integration.provider,
    providerEventId: meta.providerEventId,
    dedupeKey,
    eventType: meta.eventType,
    contentType: webhooks.batch ? 'application/json' : (delivery.headers['content-type'] ?? null),
    headers: keptHeaders(webhooks, delivery.headers),
    body,
    connectionIds,
    receivedAt: delivery.receivedAt,
  };
}

/**
 * The tokens a `hub_challenge` handshake may present: the integration's webhook secret (the
 * verify token the host entered at Meta) when signatures are keyed by something else, otherwise
 * the verification secrets themselves.
 */
async function handshakeTokens(
  deps: IntakeDeps,
  integration: ResolvedIntegration,
  webhooks: Webhooks,
  secrets: readonly string[],
): Promise<readonly string[]> {
  if ('secretFrom' in webhooks.verification && webhooks.verification.secretFrom === 'integration')
    return secrets;
  const token = await deps.integrations.webhookSecret(integration.environmentId, integration.id);
  return token ? [token] : [];
}
