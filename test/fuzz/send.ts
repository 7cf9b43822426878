/**
 * Sends a FuzzRequest to the engine in-process (Fastify's inject: the full request pipeline,
 * without a socket) and describes it for failure reports.
 */
import type { FastifyInstance } from 'fastify';
import type { Pools } from './pools.ts';
import { describeValue, encodeJson, RawJson } from './raw-json.ts';
import { type FuzzRequest, Known, type Part } from './request.ts';
import { signWebhook } from './seed.ts';
import { percentEncode } from './url-parts.ts';

export interface Sendable {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: Buffer | undefined;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

export interface SendContext {
  app: FastifyInstance;
  pools: Pools;
  secrets: { dev: string; prod: string; session: string };
  /** The secret the signed webhooks of the current target set are verified with. */
  webhookSecret(): string;
}

/** The request as it goes on the wire: Known picks resolved, the body encoded, signed if asked. */
export function resolveRequest(request: FuzzRequest, context: SendContext): Sendable {
  const text = (part: Part, encode: boolean) =>
    part instanceof Known
      ? encode
        ? percentEncode(context.pools.pick(part))
        : context.pools.pick(part)
      : part;
  const path = request.path.map((part) => text(part, true)).join('');
  const query = request.query.map(([name, value]) => `${name}=${text(value, true)}`).join('&');
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name] = text(value, false);
  const authorization = authorizationOf(request, context);
  if (authorization !== null) headers.authorization = authorization;
  const payload =
    request.body.kind === 'json'
      ? encodeJson(resolveKnown(request.body.value, context.pools))
      : request.body.kind === 'raw'
        ? request.body.bytes
        : undefined;
  if (request.sign) Object.assign(headers, signWebhook(context.webhookSecret(), payload ?? Buffer.alloc(0)));
  return { method: request.method, url: query ? `${path}?${query}` : path, headers, payload };
}

/** Sends `request`; the answer with its body as text. */
export async function send(sendable: Sendable, app: FastifyInstance): Promise<FuzzResponse> {
  const response = await app.inject({
    method: sendable.method as 'GET',
    url: sendable.url,
    headers: sendable.headers,
    ...(sendable.payload === undefined ? {} : { payload: sendable.payload }),
  });
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

function authorizationOf(request: FuzzRequest, context: SendContext): string | null {
  const principal = request.principal;
  if (typeof principal === 'object') return principal.garbage;
  if (principal === 'none') return null;
  return `Bearer ${context.secrets[principal]}`;
}

function resolveKnown(value: unknown, pools: Pools): unknown {
  if (value instanceof Known) return pools.pick(value);
  if (value instanceof RawJson || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => resolveKnown(item, pools));
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    Object.defineProperty(copy, key, { value: resolveKnown(child, pools), enumerable: true });
  }
  return copy;
}

/** A request as a person reads it in a failure report: method, URL, headers, body, all cut short. */
export function describeRequest(request: FuzzRequest, sendable: Sendable): string {
  const cut = (text: string, limit: number) =>
    text.length > limit ? `${text.slice(0, limit)}…<${text.length}>` : text;
  const headers = Object.entries(sendable.headers)
    .map(
      ([name, value]) =>
        `  ${name}: ${cut(name === 'authorization' ? `${value.slice(0, 16)}…` : value, 120)}`,
    )
    .join('\n');
  const body =
    request.body.kind === 'json'
      ? describeValue(request.body.value)
      : sendable.payload
        ? cut(JSON.stringify(sendable.payload.toString('latin1')), 600)
        : '(none)';
  return `${request.target}: ${sendable.method} ${cut(sendable.url, 300)}\n${headers}\n  body (${sendable.payload?.length ?? 0} bytes): ${body}`;
}
