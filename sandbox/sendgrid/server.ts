/**
 * A SendGrid v3 emulator on loopback, written from Twilio SendGrid's API reference
 * (https://www.twilio.com/docs/sendgrid/api-reference): API-key auth (`Authorization: Bearer
 * SG.…`) with scopes (`GET /v3/scopes`), `POST /v3/mail/send` (202, empty body, `X-Message-Id`),
 * its error bodies, `X-RateLimit-*` headers and 429s, and the Event Webhook: settings under
 * `/v3/user/webhooks/event/settings` (the single legacy webhook and the per-id ones, `/all`),
 * signing turned on per webhook under `…/signed[/{id}]` (which answers the public key), and
 * events POSTed as signed JSON arrays (./event-webhook.ts). The official `@sendgrid/mail` SDK
 * sends through it and `@sendgrid/eventwebhook` verifies its deliveries in contract.test.ts.
 *
 * @example
 * const sendgrid = await startSendGridSandbox();
 * sgMail.setApiKey(sendgrid.apiKey); sgClient.setDefaultRequest('baseUrl', sendgrid.url);
 * const [answer] = await sgMail.send({ to: 'a@example.org', from: 'hi@example.com', subject: 'Hi', text: 'Hi' });
 * await sendgrid.control.emit(answer.headers['x-message-id'], 'delivered');
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArmedFaults, answerWithFault } from '../http/faults.ts';
import { listen } from '../http/listen.ts';
import { type ReceivedApiRequest, receivedOf } from '../http/received.ts';
import { readBody, sendJson } from '../http/respond.ts';
import { parseJson as parse, SendGridRefusal, sendSendGridError } from './errors.ts';
import {
  deliverEvents,
  type EventRequest,
  type EventWebhook,
  eventObject,
  type SendGridDelivery,
  type SendGridEventKind,
  wants,
} from './event-webhook.ts';
import { acceptMail, type SendGridMessage } from './mail.ts';
import { settingsRoute } from './settings-routes.ts';

/** Every scope the emulator checks, which a full-access key has. */
export const SENDGRID_SCOPES = [
  'mail.send',
  'user.webhooks.event.settings.create',
  'user.webhooks.event.settings.read',
  'user.webhooks.event.settings.update',
  'user.webhooks.event.settings.delete',
] as const;

export interface SendGridRateLimit {
  requests: number;
  windowSeconds: number;
}

export interface SendGridSandboxOptions {
  /** The key (default a random `SG.<id>.<secret>`). */
  apiKey?: string;
  /** The key's scopes (default all of SENDGRID_SCOPES). */
  scopes?: readonly string[];
  /** A limit per key for every endpoint, told in X-RateLimit-* headers; default none. */
  rateLimit?: SendGridRateLimit;
  now?: () => Date;
  host?: string;
  port?: number;
}

export interface SendGridSandboxControl {
  /** Every message accepted, oldest first. */
  readonly messages: readonly SendGridMessage[];
  /** Event Webhooks configured, oldest first. */
  readonly webhooks: readonly EventWebhook[];
  readonly deliveries: readonly SendGridDelivery[];
  /** The authenticated API requests that reached a resource, oldest first (credentials reduced to their scheme). */
  readonly received: readonly ReceivedApiRequest[];
  /** Requests received by `METHOD /path`, refused ones included. */
  readonly requests: ReadonlyMap<string, number>;
  /** One event about one message, POSTed to every webhook that wants it. */
  emit(
    messageId: string,
    event: SendGridEventKind,
    details?: EventRequest['details'],
  ): Promise<SendGridDelivery[]>;
  /** Several events, POSTed to each webhook as one JSON array (as SendGrid batches them). */
  emitMany(events: readonly EventRequest[]): Promise<SendGridDelivery[]>;
  setRateLimit(limit: SendGridRateLimit | null): void;
  /** Deletes the key, as its owner would: it answers 401 from now on. */
  revokeKey(): void;
  readonly faults: ArmedFaults;
}

export interface SendGridSandbox {
  /** `http://127.0.0.1:<port>`: the base-URL override of `https://api.sendgrid.com`. */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  readonly control: SendGridSandboxControl;
  close(): Promise<void>;
}

const SETTINGS = '/v3/user/webhooks/event/settings';

export async function startSendGridSandbox(options: SendGridSandboxOptions = {}): Promise<SendGridSandbox> {
  const now = options.now ?? (() => new Date());
  const apiKey =
    options.apiKey ?? `SG.${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
  const scopes = new Set<string>(options.scopes ?? SENDGRID_SCOPES);
  const messages: SendGridMessage[] = [];
  const byId = new Map<string, SendGridMessage>();
  const webhooks: EventWebhook[] = [];
  const deliveries: SendGridDelivery[] = [];
  const requests = new Map<string, number>();
  const received: ReceivedApiRequest[] = [];
  const faults = new ArmedFaults();
  let rateLimit = options.rateLimit ?? null;
  let revoked = false;
  let window = { start: 0, count: 0 };

  function limitHeaders(): { allowed: boolean; headers: Record<string, string> } {
    if (!rateLimit) return { allowed: true, headers: {} };
    const at = now().getTime();
    const span = rateLimit.windowSeconds * 1000;
    if (at - window.start >= span) window = { start: at, count: 0 };
    const allowed = window.count < rateLimit.requests;
    if (allowed) window.count += 1;
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit': String(rateLimit.requests),
        'X-RateLimit-Remaining': String(rateLimit.requests - window.count),
        'X-RateLimit-Reset': String(Math.ceil((window.start + span) / 1000)),
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sendgrid.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/\/+$/, '');
    const route = `${method} ${routeOf(path)}`;
    requests.set(route, (requests.get(route) ?? 0) + 1);
    let headers: Record<string, string> = {};
    try {
      authenticate(req);
      const decision = limitHeaders();
      headers = decision.headers;
      const fault = faults.take(route);
      if (fault?.status === 429 || !decision.allowed) {
        const reset =
          fault?.status === 429
            ? Math.ceil(now().getTime() / 1000) + fault.retryAfterSeconds
            : Number(headers['X-RateLimit-Reset']);
        headers = {
          'X-RateLimit-Limit': headers['X-RateLimit-Limit'] ?? '600',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(reset),
        };
        throw SendGridRefusal.plain(429, 'too many requests');
      }
      if (fault?.status === 500) throw SendGridRefusal.plain(500, 'internal server error');
      const body = method === 'POST' || method === 'PATCH' ? await readBody(req) : Buffer.alloc(0);
      received.push(receivedOf(req, method, path, body));
      const answer = await dispatch(method, path, body);
      const empty = answer.status === 202 || answer.status === 204;
      await answerWithFault(
        res,
        answer.status,
        {
          ...(empty ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
          ...headers,
          ...(answer.headers ?? {}),
        },
        empty ? '' : JSON.stringify(answer.body),
        faults.takeAnswerFault(route),
      );
    } catch (error) {
      if (error instanceof SendGridRefusal) sendSendGridError(res, error, headers);
      else throw error;
    }
  }

  function authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization;
    if (!header) throw SendGridRefusal.plain(401, 'authorization required');
    if (header !== `Bearer ${apiKey}` || revoked) {
      throw SendGridRefusal.plain(401, 'The provided authorization grant is invalid, expired, or revoked');
    }
  }

  function requireScope(scope: string): void {
    if (!scopes.has(scope)) throw SendGridRefusal.plain(403, 'access forbidden');
  }

  async function dispatch(
    method: string,
    path: string,
    raw: Buffer,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    if (path === '/v3/scopes' && method === 'GET') return { status: 200, body: { scopes: [...scopes] } };
    if (path === '/v3/mail/send' && method === 'POST') {
      requireScope('mail.send');
      const message = acceptMail(parse(raw), now().getTime());
      messages.push(message);
      byId.set(message.id, message);
      return { status: 202, headers: { 'X-Message-Id': message.id } };
    }
    if (path === SETTINGS || path.startsWith(`${SETTINGS}/`))
      return settingsRoute(method, path.slice(SETTINGS.length), raw, { webhooks, now: now(), requireScope });
    throw SendGridRefusal.plain(404, 'resource not found');
  }

  const listening = await listen(
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          sendJson(res, 500, { errors: [{ field: null, message: String(error), help: null }] });
        else res.destroy();
      });
    },
    {
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    },
  );

  const control: SendGridSandboxControl = {
    messages,
    webhooks,
    deliveries,
    requests,
    received,
    faults,
    setRateLimit(limit) {
      rateLimit = limit;
      window = { start: 0, count: 0 };
    },
    revokeKey() {
      revoked = true;
    },
    emit(messageId, event, details) {
      return control.emitMany([{ messageId, event, ...(details ? { details } : {}) }]);
    },
    async emitMany(events) {
      const at = now();
      const objects = events.map((request) => {
        const message = byId.get(request.messageId);
        if (!message) throw new Error(`no message ${request.messageId} in the SendGrid emulator`);
        return { kind: request.event, object: eventObject(message, request, at) };
      });
      const made = await Promise.all(
        webhooks
          .map((webhook) => ({
            webhook,
            batch: objects.filter((o) => wants(webhook, o.kind)).map((o) => o.object),
          }))
          .filter(({ batch }) => batch.length > 0)
          .map(({ webhook, batch }) => deliverEvents(webhook, batch, at)),
      );
      deliveries.push(...made);
      return made;
    },
  };

  return { url: listening.origin, port: listening.port, apiKey, control, close: () => listening.close() };
}

function routeOf(path: string): string {
  return path.replace(
    /^(\/v3\/user\/webhooks\/event\/settings(?:\/signed)?)\/(?!all$|signed$)[^/]+$/,
    '$1/{id}',
  );
}
