/**
 * A Whop emulator on loopback, written from Whop's v1 API reference
 * (https://docs.whop.com/api-reference): company API keys (`Authorization: Bearer …`), cursor
 * pages (`first`, `after`, `page_info`), `GET /memberships` and `/memberships/{id}` with
 * `cancel`, `uncancel` and `add_free_days`, `GET /products` and `/plans` (by `account_id`),
 * `GET /payments`, the webhooks resource (`POST/GET/PATCH/DELETE /webhooks`), Whop's error body,
 * its 600-requests-per-minute limit per operation and credential (429 `rate_limit_exceeded`), and
 * events POSTed to registered webhooks signed per Standard Webhooks (./webhooks.ts). Whop's OAuth
 * endpoints (`/oauth/authorize`, `/oauth/token`, `/oauth/revoke`: PKCE, one-hour access tokens,
 * rotating refresh tokens) come from the generic OAuth sandbox it is mounted on; the API takes
 * their access tokens as it takes the company key. The official `@whop/sdk` drives it in
 * contract.test.ts.
 *
 * @example
 * const whop = await startWhopSandbox();
 * const client = new Whop({ apiKey: whop.apiKey, baseURL: whop.url });
 * for await (const membership of client.memberships.list({ company_id: whop.companyId })) console.log(membership.id);
 * await whop.control.cancelMembership(id, 'immediate'); // membership.deactivated to every webhook
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookEvent } from '@whop/sdk/resources/webhooks';
import { ArmedFaults, answerWithFault } from '../http/faults.ts';
import { type ReceivedApiRequest, receivedOf } from '../http/received.ts';
import { readBody, sendJson } from '../http/respond.ts';
import type { OAuthSandboxClient } from '../oauth/clients.ts';
import type { OAuthSandboxContext } from '../oauth/context.ts';
import { type OAuthSandbox, startOAuthSandbox } from '../oauth/server.ts';
import { parseObject, sendWhopError, WhopRefusal } from './errors.ts';
import { page } from './pages.ts';
import {
  addMembership,
  seedCompany,
  setMembershipStatus,
  type WhopCompany,
  type WhopSeed,
  whopId,
} from './state.ts';
import { deliver, newWebhook, shownWebhook, type WhopDelivery, type WhopWebhook } from './webhooks.ts';

const DAY = 86_400_000;

/** Whop's documented default: 600 requests per minute per API operation and credential. */
export const WHOP_DEFAULT_RATE_LIMIT = { requests: 600, windowSeconds: 60 } as const;
export type WhopRateLimit = { requests: number; windowSeconds: number };

export interface WhopSandboxOptions {
  apiKey?: string;
  companyId?: string;
  seed?: WhopSeed;
  /** Default Whop's 600 per minute per operation; false turns it off. */
  rateLimit?: WhopRateLimit | false;
  now?: () => Date;
  /** OAuth apps (add more with `oauth.control.addClient`). */
  clients?: OAuthSandboxClient[];
  host?: string;
  port?: number;
}

export interface WhopSandboxControl {
  readonly company: WhopCompany;
  readonly webhooks: readonly WhopWebhook[];
  readonly deliveries: readonly WhopDelivery[];
  readonly received: readonly ReceivedApiRequest[];
  /** Requests by `METHOD /route` (`POST /memberships/{id}/cancel`), refused ones included. */
  readonly requests: ReadonlyMap<string, number>;
  readonly faults: ArmedFaults;
  /**
   * The member (or the seller in the dashboard) cancels: `immediate` ends access now
   * (`membership.deactivated`), `at_period_end` keeps it until renewal
   * (`membership.cancel_at_period_end_changed`). Answers the deliveries made.
   */
  cancelMembership(id: string, mode: 'immediate' | 'at_period_end'): Promise<WhopDelivery[]>;
  /** Someone buys a plan: `membership.activated` then `payment.succeeded`. */
  buy(planId: string, buyer: { email: string; name?: string }): Promise<WhopDelivery[]>;
  /** POSTs `type` about `data` to every enabled webhook subscribed to it. */
  emit(type: WebhookEvent, data: unknown): Promise<WhopDelivery[]>;
  /** The key is deleted in the dashboard: every call answers 401 from now on. */
  revokeKey(): void;
  setRateLimit(limit: WhopRateLimit | null): void;
  /** Waits for the deliveries the API's writes started in the background. */
  settled(): Promise<void>;
}

export interface WhopSandbox {
  /** `http://127.0.0.1:<port>/api/v1`: the base-URL override of `https://api.whop.com/api/v1`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`: what replaces `https://api.whop.com` in an integration's baseUrls. */
  readonly origin: string;
  readonly apiKey: string;
  readonly companyId: string;
  readonly control: WhopSandboxControl;
  /** The OAuth server underneath (`addClient`, `revokeAll`, `expireAccessTokens`…). */
  readonly oauth: OAuthSandbox;
  close(): Promise<void>;
}

/** Whop's access tokens last one hour. */
const ACCESS_TOKEN_SECONDS = 3600;

const PREFIX = '/api/v1';

export async function startWhopSandbox(options: WhopSandboxOptions = {}): Promise<WhopSandbox> {
  const now = options.now ?? (() => new Date());
  const apiKey = options.apiKey ?? `apik_${randomBytes(20).toString('hex')}`;
  const company = seedCompany(options.companyId ?? whopId('biz'), options.seed ?? {}, now());
  const webhooks: WhopWebhook[] = [];
  const deliveries: WhopDelivery[] = [];
  const received: ReceivedApiRequest[] = [];
  const requests = new Map<string, number>();
  const faults = new ArmedFaults();
  const windows = new Map<string, { start: number; count: number }>();
  const background = new Set<Promise<unknown>>();
  let rateLimit: WhopRateLimit | null =
    options.rateLimit === false ? null : (options.rateLimit ?? WHOP_DEFAULT_RATE_LIMIT);
  let revoked = false;
  let oauthContext: OAuthSandboxContext | undefined;

  async function emit(type: WebhookEvent, data: unknown): Promise<WhopDelivery[]> {
    const at = now();
    const targets = webhooks.filter((webhook) => webhook.enabled && webhook.events.includes(type));
    const made = await Promise.all(targets.map((webhook) => deliver(webhook, type, company.id, data, at)));
    deliveries.push(...made);
    return made;
  }

  /** A write at the API sends its events after answering, as Whop delivers them asynchronously. */
  function emitLater(type: WebhookEvent, data: unknown): void {
    const sent = emit(type, structuredClone(data)).finally(() => background.delete(sent));
    background.add(sent);
  }

  function membership(id: string) {
    const found = company.memberships.find((candidate) => candidate.id === id);
    if (!found) throw new WhopRefusal(404, 'not_found', `Membership ${id} was not found.`);
    return found;
  }

  function cancel(id: string, mode: 'immediate' | 'at_period_end'): { type: WebhookEvent; data: unknown } {
    const found = membership(id);
    const at = now();
    if (mode === 'immediate') {
      setMembershipStatus(found, 'canceled', at);
      return { type: 'membership.deactivated', data: found };
    }
    found.cancel_at_period_end = true;
    found.canceled_at = at.toISOString();
    found.updated_at = at.toISOString();
    return { type: 'membership.cancel_at_period_end_changed', data: found };
  }

  function checkCompany(value: string | null, name: string): void {
    if (value === null) throw new WhopRefusal(422, 'invalid_request', `Missing required parameter: ${name}`);
    if (value !== company.id) {
      throw new WhopRefusal(403, 'forbidden', `This API key cannot access ${value}.`);
    }
  }

  function takeRate(route: string, key: string): Record<string, string> {
    if (rateLimit === null) return {};
    const at = now().getTime();
    const id = `${key} ${route}`;
    let window = windows.get(id);
    if (!window || at - window.start >= rateLimit.windowSeconds * 1000) {
      window = { start: at, count: 0 };
      windows.set(id, window);
    }
    window.count += 1;
    if (window.count <= rateLimit.requests) return {};
    const wait = Math.max(1, Math.ceil((window.start + rateLimit.windowSeconds * 1000 - at) / 1000));
    throw new WhopRefusal(429, 'rate_limit_exceeded', `Try again in ${wait} seconds.`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://whop.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const route = routeOf(method, path);
    requests.set(route, (requests.get(route) ?? 0) + 1);
    try {
      const key = authenticate(req);
      const fault = faults.take(route);
      if (fault?.status === 429) {
        throw new WhopRefusal(429, 'rate_limit_exceeded', `Try again in ${fault.retryAfterSeconds} seconds.`);
      }
      takeRate(route, key);
      if (fault?.status === 500) throw new WhopRefusal(500, 'internal_server_error', 'Something went wrong.');
      const body = method === 'GET' || method === 'DELETE' ? Buffer.alloc(0) : await readBody(req);
      received.push(receivedOf(req, method, path, body));
      const answer = dispatch(method, path, url.searchParams, body);
      await answerWithFault(
        res,
        answer.status,
        { 'Content-Type': 'application/json; charset=utf-8' },
        JSON.stringify(answer.body),
        faults.takeAnswerFault(route),
      );
    } catch (error) {
      if (error instanceof WhopRefusal) sendWhopError(res, error, {});
      else throw error;
    }
  }

  function authenticate(req: IncomingMessage): string {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match?.[1]) {
      throw new WhopRefusal(401, 'unauthorized', 'Missing API key: send Authorization: Bearer <key>.');
    }
    if (match[1] === apiKey && !revoked) return match[1];
    const access = oauthContext?.tokens.checkAccess(match[1]);
    if (access?.ok) return `grant:${access.grant.id}`;
    throw new WhopRefusal(401, 'unauthorized', 'The API key or access token is not valid.');
  }

  function dispatch(
    method: string,
    path: string,
    query: URLSearchParams,
    raw: Buffer,
  ): { status: number; body: unknown } {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [resource, id, verb] = parts;
    if (resource === 'memberships') {
      if (method === 'GET' && id === undefined) {
        const companyId = query.get('company_id');
        if (companyId !== null) checkCompany(companyId, 'company_id');
        const statuses = [...query.getAll('statuses'), ...query.getAll('statuses[]')];
        const listed = [...company.memberships]
          .reverse()
          .filter((one) => statuses.length === 0 || statuses.includes(one.status));
        return { status: 200, body: page(listed, query) };
      }
      if (method === 'GET' && id !== undefined && verb === undefined)
        return { status: 200, body: membership(id) };
      if (method === 'POST' && id !== undefined && verb === 'cancel') {
        const input = parseObject(raw);
        const mode = input.cancellation_mode ?? 'at_period_end';
        if (mode !== 'immediate' && mode !== 'at_period_end') {
          throw new WhopRefusal(
            422,
            'invalid_request',
            'cancellation_mode must be at_period_end or immediate.',
          );
        }
        const found = membership(id);
        if (found.status === 'canceled') {
          throw new WhopRefusal(409, 'conflict', `Membership ${id} is already canceled.`);
        }
        const event = cancel(id, mode);
        emitLater(event.type, event.data);
        return { status: 200, body: found };
      }
      if (method === 'POST' && id !== undefined && verb === 'uncancel') {
        const found = membership(id);
        found.cancel_at_period_end = false;
        found.canceled_at = null;
        found.updated_at = now().toISOString();
        emitLater('membership.cancel_at_period_end_changed', found);
        return { status: 200, body: found };
      }
      if (method === 'POST' && id !== undefined && verb === 'add_free_days') {
        const input = parseObject(raw);
        const days = input.free_days;
        if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
          throw new WhopRefusal(422, 'invalid_request', 'free_days must be a positive integer.');
        }
        const found = membership(id);
        const end = Date.parse(found.renewal_period_end ?? now().toISOString());
        found.renewal_period_end = new Date(end + days * DAY).toISOString();
        found.updated_at = now().toISOString();
        return { status: 200, body: found };
      }
    }
    if (resource === 'products' && method === 'GET' && id === undefined) {
      checkCompany(query.get('account_id') ?? query.get('company_id'), 'account_id');
      return { status: 200, body: page([...company.products].reverse(), query) };
    }
    if (resource === 'plans' && method === 'GET' && id === undefined) {
      checkCompany(query.get('account_id') ?? query.get('company_id'), 'account_id');
      return { status: 200, body: page([...company.plans].reverse(), query) };
    }
    if (resource === 'payments' && method === 'GET' && id === undefined) {
      const companyId = query.get('company_id');
      if (companyId !== null) checkCompany(companyId, 'company_id');
      const updatedAfter = query.get('updated_after');
      const since = updatedAfter === null ? null : Date.parse(updatedAfter);
      const listed = [...company.payments]
        .reverse()
        .filter((one) => since === null || Date.parse(one.updated_at) > since);
      return { status: 200, body: page(listed, query) };
    }
    if (resource === 'webhooks') return webhookRoute(method, id, query, raw);
    throw new WhopRefusal(404, 'not_found', `${method} ${PREFIX}${path} is not a Whop endpoint.`);
  }

  function webhookRoute(
    method: string,
    id: string | undefined,
    query: URLSearchParams,
    raw: Buffer,
  ): { status: number; body: unknown } {
    if (id === undefined && method === 'GET') {
      checkCompany(query.get('company_id'), 'company_id');
      const listed = [...webhooks]
        .reverse()
        .map(({ webhook_secret: _s, resource_id: _r, testable_events: _t, ...shown }) => shown);
      return { status: 200, body: page(listed, query) };
    }
    if (id === undefined && method === 'POST') {
      const input = parseObject(raw);
      if (typeof input.url !== 'string' || !/^https?:\/\//.test(input.url)) {
        throw new WhopRefusal(422, 'invalid_request', 'url must be an http(s) URL.');
      }
      const resourceId = typeof input.resource_id === 'string' ? input.resource_id : company.id;
      checkCompany(resourceId, 'resource_id');
      const created = newWebhook(
        {
          url: input.url,
          events: eventsOf(input.events) ?? [],
          enabled: input.enabled !== false,
          resourceId,
        },
        now(),
      );
      webhooks.push(created);
      return { status: 200, body: created };
    }
    const index = webhooks.findIndex((webhook) => webhook.id === id);
    const found = webhooks[index];
    if (!found) throw new WhopRefusal(404, 'not_found', `Webhook ${id} was not found.`);
    if (method === 'GET') return { status: 200, body: shownWebhook(found) };
    if (method === 'PATCH') {
      const input = parseObject(raw);
      if (typeof input.url === 'string') found.url = input.url;
      const events = eventsOf(input.events);
      if (events) {
        found.events = events;
        found.testable_events = events;
      }
      if (typeof input.enabled === 'boolean') found.enabled = input.enabled;
      return { status: 200, body: shownWebhook(found) };
    }
    if (method === 'DELETE') {
      webhooks.splice(index, 1);
      return { status: 200, body: true };
    }
    throw new WhopRefusal(404, 'not_found', `${method} /webhooks/${id} is not a Whop endpoint.`);
  }

  const oauth = await startOAuthSandbox({
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.clients ? { clients: options.clients } : {}),
    accessTokenTtlSeconds: ACCESS_TOKEN_SECONDS,
    rotateRefreshTokens: true,
    requirePkce: true,
    // The generic sandbox's own demo API is kept out of Whop's /api/v1 namespace.
    paths: { api: '/sandbox/' },
    routes: (router, context) => {
      oauthContext = context;
      router.prefix(`${PREFIX}/`, (req, res) => {
        handle(req, res).catch((error: unknown) => {
          if (!res.headersSent) {
            sendJson(res, 500, { error: { type: 'internal_server_error', message: String(error) } });
          } else res.destroy();
        });
      });
    },
  });

  const control: WhopSandboxControl = {
    company,
    webhooks,
    deliveries,
    received,
    requests,
    faults,
    emit,
    async cancelMembership(id, mode) {
      const event = cancel(id, mode);
      return emit(event.type, structuredClone(event.data));
    },
    async buy(planId, buyer) {
      const made = addMembership(company, planId, buyer, now());
      const payment = company.payments.at(-1);
      const sent = await emit('membership.activated', structuredClone(made));
      return [...sent, ...(await emit('payment.succeeded', structuredClone(payment)))];
    },
    revokeKey() {
      revoked = true;
    },
    setRateLimit(limit) {
      rateLimit = limit;
      windows.clear();
    },
    async settled() {
      await Promise.all([...background]);
    },
  };

  return {
    url: `${oauth.origin}${PREFIX}`,
    origin: oauth.origin,
    apiKey,
    companyId: company.id,
    control,
    oauth,
    async close() {
      await control.settled();
      await oauth.close();
    },
  };
}

/** The event names in a request body, when it names any. */
function eventsOf(value: unknown): WebhookEvent[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter((item): item is WebhookEvent => typeof item === 'string');
}

/** The route a request is counted (and rate-limited) under: `POST /memberships/{id}/cancel`. */
function routeOf(method: string, path: string): string {
  const generic = path.replace(/^\/(memberships|webhooks|payments|plans|products)\/[^/]+/, '/$1/{id}');
  return `${method} ${generic}`;
}
