/**
 * The intake of provider deliveries, as a plain handler: a delivery (raw bytes, byte-exact,
 * never re-serialized) is verified by the definition's scheme, stored durably and deduplicated —
 * and only then answered 200, so an event Patchbay acknowledged is never lost. A store failure
 * answers 503 and the provider retries. `GET` answers set-up handshakes (Meta's hub challenge,
 * Mailchimp's ping). The HTTP route (`/webhooks/<environment id>/<integration key>[/<token>]`)
 * is src/api/routes/webhooks.ts.
 */
import { createHash } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Webhooks } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import type { ConnectionsService } from '../connections/types.ts';
import { type ErrorCode, isPatchbayError, notFound, PatchbayError } from '../errors/index.ts';
import type { IntegrationsService } from '../integrations/types.ts';
import type { Logger } from '../logger/index.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import type { JobQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import { jsonTextTooDeep, jsonTooDeep } from '../values/json-depth.ts';
import { keptHeaders } from './headers.ts';
import { processDedupeKey } from './jobs.ts';
import { rejectionCounter } from './rejections.ts';
import { type ManagedWebhookKeys, secretsFor } from './secrets.ts';
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
  /** URLs and secrets of the webhook subscriptions the engine registered (see secrets.ts). */
  managed?: ManagedWebhookKeys;
  writer: InboundWriter;
  queue: Pick<JobQueue, 'enqueueMany'>;
  verifier: Verifier;
  clock: Clock;
  metrics: Registry;
  /** Where providers reach Patchbay (the URL some sign, with `{url}` in their signed content). */
  publicUrl: string;
  /** Largest delivery accepted, bytes. Default 1 MiB. */
  bodyLimit?: number;
  /**
   * The provider call of `provider_api` definitions for one connection (through the proxy, with
   * that connection's credentials). Without it, such deliveries are refused.
   */
  providerRequestFor?: (
    environmentId: string,
    connectionId: string,
  ) => NonNullable<VerifyDeps['providerRequest']>;
}

export const DEFAULT_INTAKE_BODY_LIMIT = 1024 * 1024;
/** Handshake answers are the bare challenge (or `ok`), as the providers expect. */
const HANDSHAKE_TYPE = 'text/plain; charset=utf-8';

/** The URL's parts: which environment and integration, and the connection's URL token. */
export interface IntakeParams {
  environmentId: string;
  integrationKey: string;
  token?: string;
}

/** What the HTTP layer hands over: the request as it arrived. */
export interface ArrivedRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  rawBody: Buffer;
}

/** The answer to send: status, content type (JSON when absent) and body. */
export interface IntakeAnswer {
  status: number;
  contentType?: string;
  body: unknown;
}

/** Where the intake reports refusals and store failures: the request's own log line context. */
export type IntakeLog = Pick<Logger, 'warn' | 'error'>;

export interface Intake {
  /** Largest delivery accepted, bytes: the HTTP layer refuses bigger ones before reading them. */
  readonly bodyLimit: number;
  /** Verifies, stores and answers one delivery; refusals throw coded errors. */
  receive(params: IntakeParams, request: ArrivedRequest, log: IntakeLog): Promise<IntakeAnswer>;
  /** Counts a delivery the HTTP layer refused before `receive` (its provider is not known yet). */
  refusedEarly(code: 'payload_too_large', log: IntakeLog): void;
}

export function createIntake(deps: IntakeDeps): Intake {
  const rejections = rejectionCounter(deps.metrics);
  return {
    bodyLimit: deps.bodyLimit ?? DEFAULT_INTAKE_BODY_LIMIT,
    receive: (params, request, log) => intake(deps, rejections, params, toDelivery(deps, request), log),
    refusedEarly(code, log) {
      rejections.inc('unknown', code);
      log.warn({ code }, 'inbound delivery rejected');
    },
  };
}

async function intake(
  deps: IntakeDeps,
  rejections: ReturnType<typeof rejectionCounter>,
  params: IntakeParams,
  delivery: IncomingDelivery,
  log: IntakeLog,
): Promise<IntakeAnswer> {
  const { integration, webhooks } = await findIntegration(deps, params);
  const reject = (code: ErrorCode, message: string, details?: unknown): never => {
    rejections.inc(integration.provider, code);
    log.warn(
      { code, provider: integration.provider, integrationId: integration.id },
      'inbound delivery rejected',
    );
    throw new PatchbayError(code, message, details === undefined ? {} : { details });
  };

  // WooCommerce's creation ping: unsigned and form-encoded where events are signed JSON. Routed
  // first (an unknown URL is still refused), never verified or stored.
  const ping =
    webhooks.handshake?.kind === 'form_ping' ? deps.verifier.answerHandshake(webhooks, delivery, []) : null;
  if (ping?.ok) {
    const routed = await secretsFor(deps, integration, webhooks, delivery, params.token);
    if (routed.connectionIds.length === 0) {
      reject(
        'webhook_token_invalid',
        'The webhook URL names no connection; register the URL Patchbay issued',
      );
    }
    return { status: 200, contentType: HANDSHAKE_TYPE, body: ping.body };
  }
  if (delivery.method === 'POST') {
    const type = (delivery.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!acceptsContentType(webhooks.bodyFormat, type)) {
      reject(
        'unsupported_media_type',
        `This endpoint takes ${webhooks.bodyFormat === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'} bodies, as ${integration.provider} sends them`,
      );
    }
    // Before verification, routing or storage: some schemes re-serialize the body (PayPal's
    // verification call), and an event stored too deep to process would be acknowledged and lost.
    if (webhooks.bodyFormat === 'json' && jsonTextTooDeep(delivery.rawBody.toString('utf8'))) {
      const tooDeep = jsonTooDeep('The webhook body');
      reject(tooDeep.code, tooDeep.message, tooDeep.details);
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
    return { status: 200, contentType: HANDSHAKE_TYPE, body: answer.body };
  }

  if (webhooks.verification.scheme === 'url_token' && secrets.length === 0) {
    reject(
      'webhook_token_invalid',
      'The webhook URL token is missing or unknown; register the URL Patchbay issued',
    );
  }
  const askingConnection =
    webhooks.verification.scheme === 'provider_api' && connectionIds.length === 1
      ? connectionIds[0]
      : undefined;
  const connectionConfig = askingConnection
    ? await connectionConfigOf(deps, integration.environmentId, askingConnection)
    : undefined;
  const providerRequest =
    askingConnection && deps.providerRequestFor
      ? deps.providerRequestFor(integration.environmentId, askingConnection)
      : undefined;
  const result = await deps.verifier.verifyDelivery(webhooks.verification, delivery, secrets, {
    ...(providerRequest ? { providerRequest } : {}),
    ...(connectionConfig ? { connectionConfig } : {}),
  });
  if (!result.ok) reject(result.code, result.message);

  const handshake = deps.verifier.answerHandshake(webhooks, delivery, secrets);
  if (handshake && !handshake.ok) reject(handshake.code, handshake.message);
  if (handshake?.ok) return { status: 200, contentType: HANDSHAKE_TYPE, body: handshake.body };

  let metas: EventMeta[];
  try {
    metas = deps.verifier.readEventMeta(webhooks, delivery);
  } catch (error) {
    // A body that is not what its format says (webhook_payload_invalid): a rejection like the others.
    if (!isPatchbayError(error) || error.status >= 500) throw error;
    return reject(error.code, error.message, error.details ?? undefined);
  }
  const events = metas.map((meta) => toNewEvent(integration, webhooks, delivery, meta, connectionIds));
  let outcomes: Awaited<ReturnType<InboundWriter['store']>>;
  try {
    outcomes = await deps.writer.store(events);
  } catch (error) {
    log.error({ err: error, integrationId: integration.id }, 'inbound delivery could not be stored');
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
      .catch((error: unknown) => log.warn({ err: error }, 'inbound processing not queued; the sweep will'));
  }
  if (!webhooks.batch) {
    const [outcome] = outcomes;
    return {
      status: 200,
      body: outcome?.duplicate ? { received: true, duplicate: true } : { received: true, id: outcome?.id },
    };
  }
  return { status: 200, body: { received: true, ids: stored, duplicates: outcomes.length - stored.length } };
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

/** The URL's connection's config, for the `{config:<key>}` values of a `provider_api` request. */
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

function toDelivery(deps: IntakeDeps, request: ArrivedRequest): IncomingDelivery {
  return {
    method: request.method.toUpperCase(),
    // As the provider called it: the public origin (and base path) with the path and query as sent.
    url: new URL(deps.publicUrl.replace(/\/+$/, '') + request.url),
    headers: request.headers,
    rawBody: request.rawBody,
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
      ? idDedupeKey(meta.providerEventId)
      : `sha256:${sha256Hex(body)}`;
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
 * Provider ids are kept readable in the dedupe key up to this length (real ones are under 100
 * characters); a longer one is keyed by its hash, since the key is in a unique index and
 * PostgreSQL refuses index entries over ~2.7 KB, which would fail the commit (503) for ever.
 */
const MAX_READABLE_ID = 200;

function idDedupeKey(providerEventId: string): string {
  return providerEventId.length <= MAX_READABLE_ID
    ? `id:${providerEventId}`
    : `id-sha256:${sha256Hex(Buffer.from(providerEventId))}`;
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
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
