/**
 * A Resend emulator on loopback, written from Resend's API reference
 * (https://resend.com/docs/api-reference): API-key auth (`Authorization: Bearer re_…`), `POST
 * /emails` with `Idempotency-Key`, `POST /emails/batch`, `GET /emails` (cursor pages) and `GET
 * /emails/{id}`, `GET /domains`, the webhooks resource (`POST/GET/PATCH/DELETE /webhooks`), its
 * error bodies, its 2-per-second rate limit with `ratelimit-*` headers, and email events POSTed
 * to registered webhooks signed the Svix way (./webhooks.ts). The official `resend` SDK drives it
 * in contract.test.ts.
 *
 * @example
 * const resend = await startResendSandbox();
 * const client = new Resend(resend.apiKey, { baseUrl: resend.url });
 * const { data } = await client.emails.send({ from: 'Acme <hi@example.com>', to: ['a@example.org'], subject: 'Hi', text: 'Hi' });
 * await resend.control.emit(data!.id, 'email.delivered'); // POSTs the signed event to every webhook
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArmedFaults, answerWithFault } from '../http/faults.ts';
import { listen } from '../http/listen.ts';
import { type ReceivedApiRequest, receivedOf } from '../http/received.ts';
import { readBody, sendJson } from '../http/respond.ts';
import {
  type AcceptedEmail,
  acceptEmail,
  listEmails,
  type ResendEmail,
  type ResendLastEvent,
} from './emails.ts';
import { parseJson as parse, ResendRefusal, sendResendError } from './errors.ts';
import { IdempotencyKeys } from './idempotency.ts';
import {
  RESEND_DEFAULT_RATE_LIMIT,
  type ResendRateLimit,
  ResendRateLimiter,
  rateLimitMessage,
} from './rate-limit.ts';
import { webhookRoute } from './webhook-routes.ts';
import {
  deliver,
  type EmailEventDetails,
  emailEventBody,
  type ResendDelivery,
  type ResendEmailEvent,
  type ResendWebhook,
} from './webhooks.ts';

export interface ResendSandboxOptions {
  /** The full-access key (default a random `re_…`). */
  apiKey?: string;
  /** Verified sending domains (default `example.com`). */
  domains?: string[];
  /** Default Resend's 2 per second; false turns it off. */
  rateLimit?: ResendRateLimit | false;
  /** Time of created_at and signatures (default the system clock). */
  now?: () => Date;
  host?: string;
  port?: number;
}

export interface ResendSandboxControl {
  /** Every email accepted, oldest first, with the headers it was sent with. */
  readonly emails: readonly AcceptedEmail[];
  /** Webhooks registered, oldest first. */
  readonly webhooks: readonly ResendWebhook[];
  /** Every delivery POSTed so far. */
  readonly deliveries: readonly ResendDelivery[];
  /** The authenticated API requests that reached a resource, oldest first (credentials reduced to their scheme). */
  readonly received: readonly ReceivedApiRequest[];
  /** Requests the API received, by `METHOD /path` (`POST /emails`), refused ones included. */
  readonly requests: ReadonlyMap<string, number>;
  /**
   * Something happened to an email: its `last_event` moves and the event is POSTed, signed, to
   * every enabled webhook subscribed to it. Answers the deliveries made.
   */
  emit(emailId: string, type: ResendEmailEvent, details?: EmailEventDetails): Promise<ResendDelivery[]>;
  /** Adds a verified sending domain. */
  addDomain(name: string): void;
  /** Deletes the full-access key, as its owner would in the dashboard: it answers `invalid_api_key` from now on. */
  revokeKey(): void;
  setRateLimit(limit: ResendRateLimit | null): void;
  readonly faults: ArmedFaults;
}

export interface ResendSandbox {
  /** `http://127.0.0.1:<port>`: the base-URL override of `https://api.resend.com`. */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** A sending-only key: `POST /emails` works, everything else answers `restricted_api_key`. */
  readonly sendingKey: string;
  readonly control: ResendSandboxControl;
  close(): Promise<void>;
}

interface Domain {
  object: 'domain';
  id: string;
  name: string;
  status: 'verified';
  created_at: string;
  region: 'us-east-1';
}

/** The `last_event` each event of a sent email leaves (`email.received` is about inbound mail). */
const LAST_EVENT: Record<Exclude<ResendEmailEvent, 'email.received'>, ResendLastEvent> = {
  'email.sent': 'sent',
  'email.scheduled': 'scheduled',
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'delivery_delayed',
  'email.complained': 'complained',
  'email.bounced': 'bounced',
  'email.opened': 'opened',
  'email.clicked': 'clicked',
  'email.failed': 'failed',
  'email.suppressed': 'suppressed',
};

export async function startResendSandbox(options: ResendSandboxOptions = {}): Promise<ResendSandbox> {
  const now = options.now ?? (() => new Date());
  const apiKey = options.apiKey ?? `re_${randomBytes(18).toString('base64url').replace(/-/g, '_')}`;
  const sendingKey = `re_${randomBytes(18).toString('hex')}`;
  const domains: Domain[] = [];
  const emails: AcceptedEmail[] = [];
  const byId = new Map<string, AcceptedEmail>();
  const webhooks: ResendWebhook[] = [];
  const deliveries: ResendDelivery[] = [];
  const requests = new Map<string, number>();
  const received: ReceivedApiRequest[] = [];
  const faults = new ArmedFaults();
  const limiter = new ResendRateLimiter(
    options.rateLimit === false ? null : (options.rateLimit ?? RESEND_DEFAULT_RATE_LIMIT),
  );
  let rateLimit = options.rateLimit === false ? null : (options.rateLimit ?? RESEND_DEFAULT_RATE_LIMIT);
  const idempotency = new IdempotencyKeys();
  let revoked = false;

  const addDomain = (name: string) => {
    domains.push({
      object: 'domain',
      id: crypto.randomUUID(),
      name: name.toLowerCase(),
      status: 'verified',
      created_at: now().toISOString(),
      region: 'us-east-1',
    });
  };
  for (const name of options.domains ?? ['example.com']) addDomain(name);
  const verified = () => new Set(domains.map((domain) => domain.name));

  function store(accepted: AcceptedEmail): void {
    emails.push(accepted);
    byId.set(accepted.email.id, accepted);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://resend.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routeOf(method, url.pathname);
    requests.set(route, (requests.get(route) ?? 0) + 1);
    let limitHeaders: Record<string, string> = {};
    try {
      const key = authenticate(req);
      const sending = method === 'POST' && (url.pathname === '/emails' || url.pathname === '/emails/batch');
      if (key === sendingKey && !sending) {
        throw new ResendRefusal('restricted_api_key', 'This API key is restricted to only send emails.');
      }
      const decision = limiter.take(key, now().getTime());
      limitHeaders = decision.headers;
      const fault = faults.take(route);
      if (fault?.status === 429 || !decision.allowed) {
        const retryAfter =
          fault?.status === 429 ? fault.retryAfterSeconds : Number(decision.headers['retry-after']);
        limitHeaders = { ...limitHeaders, 'retry-after': String(retryAfter), 'ratelimit-remaining': '0' };
        throw new ResendRefusal(
          'rate_limit_exceeded',
          rateLimitMessage(rateLimit ?? RESEND_DEFAULT_RATE_LIMIT),
        );
      }
      if (fault?.status === 500) {
        throw new ResendRefusal('internal_server_error', 'An unexpected error occurred.');
      }
      const body = method === 'GET' || method === 'DELETE' ? Buffer.alloc(0) : await readBody(req);
      received.push(receivedOf(req, method, url.pathname, body));
      const answer = await dispatch(method, url, body, req, key);
      await answerWithFault(
        res,
        answer.status,
        { 'Content-Type': 'application/json; charset=utf-8', ...limitHeaders },
        JSON.stringify(answer.body),
        faults.takeAnswerFault(route),
      );
    } catch (error) {
      if (error instanceof ResendRefusal) sendResendError(res, error, limitHeaders);
      else throw error;
    }
  }

  function authenticate(req: IncomingMessage): string {
    const header = req.headers.authorization;
    if (!header) {
      throw new ResendRefusal(
        'missing_api_key',
        'Missing API key in the authorization header. Include the following header `Authorization: Bearer YOUR_API_KEY` in the request.',
      );
    }
    const match = /^Bearer (.+)$/.exec(header);
    if (!match || (match[1] !== apiKey && match[1] !== sendingKey) || (revoked && match[1] === apiKey)) {
      throw new ResendRefusal('invalid_api_key', 'API key is invalid');
    }
    return match[1];
  }

  async function dispatch(
    method: string,
    url: URL,
    raw: Buffer,
    req: IncomingMessage,
    key: string,
  ): Promise<{ status: number; body: unknown }> {
    const path = url.pathname;
    if (path === '/emails' && method === 'POST') {
      return idempotent(req, key, path, raw, () => {
        const accepted = acceptEmail(parse(raw), verified(), now());
        store(accepted);
        return { status: 200, body: { id: accepted.email.id } };
      });
    }
    if (path === '/emails/batch' && method === 'POST') {
      return idempotent(req, key, path, raw, () => {
        const items = parse(raw);
        if (!Array.isArray(items) || items.length === 0 || items.length > 100) {
          throw new ResendRefusal(
            'validation_error',
            'The request body must be an array of 1 to 100 emails.',
          );
        }
        // Strict validation (Resend's default): one invalid email refuses the whole batch.
        const accepted = items.map((item) => acceptEmail(item, verified(), now()));
        for (const one of accepted) store(one);
        return { status: 200, body: { data: accepted.map((one) => ({ id: one.email.id })) } };
      });
    }
    if (path === '/emails' && method === 'GET') return { status: 200, body: listEmails(emails, url) };
    if (path.startsWith('/emails/') && method === 'GET') {
      const found = byId.get(decodeURIComponent(path.slice('/emails/'.length)));
      if (!found) throw new ResendRefusal('not_found', 'Email not found');
      return { status: 200, body: found.email };
    }
    if (path === '/domains' && method === 'GET') {
      return { status: 200, body: { object: 'list', has_more: false, data: domains } };
    }
    if (path === '/webhooks' || path.startsWith('/webhooks/')) {
      const answer = webhookRoute(method, path, raw, webhooks, now());
      if (answer) return answer;
    }
    throw new ResendRefusal('method_not_allowed', `${method} ${path} is not supported.`);
  }

  async function idempotent(
    req: IncomingMessage,
    key: string,
    path: string,
    raw: Buffer,
    run: () => { status: number; body: unknown },
  ): Promise<{ status: number; body: unknown }> {
    const header = req.headers['idempotency-key'];
    if (header === undefined) return run();
    const started = idempotency.start(key, String(header), path, raw, now().getTime());
    if (started.kind === 'replay') return started.answer;
    try {
      const answer = run();
      started.finish(answer);
      return answer;
    } catch (error) {
      started.finish(null);
      throw error;
    }
  }

  const listening = await listen(
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          sendJson(res, 500, { statusCode: 500, name: 'internal_server_error', message: String(error) });
        else res.destroy();
      });
    },
    {
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    },
  );

  const control: ResendSandboxControl = {
    emails,
    webhooks,
    deliveries,
    requests,
    received,
    faults,
    addDomain,
    revokeKey() {
      revoked = true;
    },
    setRateLimit(limit) {
      rateLimit = limit;
      limiter.set(limit);
    },
    async emit(emailId, type, details = {}) {
      const accepted = byId.get(emailId);
      if (!accepted) throw new Error(`no email ${emailId} in the Resend emulator`);
      if (type === 'email.received')
        throw new Error('email.received reports inbound mail, not an event of a sent email');
      accepted.email.last_event = LAST_EVENT[type];
      const at = now();
      const payload = emailEventBody(type, accepted.email, at, details);
      const targets = webhooks.filter(
        (webhook) =>
          webhook.status === 'enabled' && (webhook.events.length === 0 || webhook.events.includes(type)),
      );
      const made = await Promise.all(targets.map((webhook) => deliver(webhook, payload, at)));
      deliveries.push(...made);
      return made;
    },
  };

  return {
    url: listening.origin,
    port: listening.port,
    apiKey,
    sendingKey,
    control,
    close: () => listening.close(),
  };
}

/** The route a request is counted under (`GET /emails/{id}`). */
function routeOf(method: string, path: string): string {
  const generic = path.replace(/^\/(emails|webhooks)\/(?!batch$)[^/]+$/, '/$1/{id}');
  return `${method} ${generic}`;
}

export type { ResendEmail };
