/**
 * ProviderCaller: sends one logical request to a provider for a call target, with everything the
 * definition asks for — auth injection, rate limits, retries with backoff honoring Retry-After
 * and reset headers, per-attempt timeouts — and one request-log row per attempt.
 *
 * Requests go through the guarded outbound dispatcher (undici `request`, not `fetch`): bodies
 * pass byte for byte in both directions, nothing is decompressed or buffered, and redirects are
 * never followed. Read or cancel every response body: under a `concurrency` limit the slot is
 * held until the body is finished.
 *
 * Which failures are retried: statuses in the definition's `retryOn` for idempotent methods (a
 * 429 for any method: the provider refused it unprocessed), network errors and timeouts for
 * idempotent methods; POST and PATCH only when the request sets `maxAttempts`. A streamed
 * request body cannot be sent twice, so it gets one attempt.
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { RateLimit, Retry } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import { realSleep, type Sleep } from '../concurrency/sleep.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import type { Logger } from '../logger/index.ts';
import type { OutboundHttp } from '../net/index.ts';
import { checkValueDepth } from '../values/json-depth.ts';
import { applyAuth, oauth1For, signOAuth1 } from './auth.ts';
import { type CostBuckets, type CostTicket, createCostBuckets } from './cost-bucket.ts';
import { forwardableRequestHeaders, isIdempotent } from './headers.ts';
import { rateLimitFor } from './rate-limit-cases.ts';
import { createProviderRateLimits, type ProviderRateLimits } from './rate-limits.ts';
import type { RequestLog } from './request-log.ts';
import { backoffDelay } from './retry-policy.ts';
import type { CallTarget, ProviderCaller, ProviderRequest, ProviderResponse } from './types.ts';
import { providerUrl } from './url.ts';
import { templateValuesOf } from './values.ts';

export interface ProviderCallerOptions {
  http: OutboundHttp;
  clock: Clock;
  logger: Logger;
  requestLog: Pick<RequestLog, 'record'>;
  /** Shared with other callers of the same process; default: an in-memory one on `clock`/`sleep`. */
  rateLimits?: ProviderRateLimits;
  /** Cost-based buckets (`rateLimit.cost`); shared like `rateLimits`. Default: in memory on `clock`/`sleep`. */
  costBuckets?: CostBuckets;
  /** Per-attempt timeout until the response headers arrive (and between body chunks), ms. */
  defaultTimeoutMs: number;
  /** Waits between attempts; tests inject one that moves a manual clock. */
  sleep?: Sleep;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** A Retry-After longer than this is not waited for: the answer goes back to the caller. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Accept `http://` origins in connection values (local sandboxes only). */
  allowHttpOrigins?: boolean;
}

type PreparedBody =
  | { replayable: true; value: string | Uint8Array | undefined }
  | { replayable: false; value: Readable };

const METHOD = /^[A-Z]{1,16}$/;

export function createProviderCaller(options: ProviderCallerOptions): ProviderCaller {
  const { http, clock, logger, requestLog } = options;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const rateLimits = options.rateLimits ?? createProviderRateLimits({ clock, logger, sleep });
  const costBuckets = options.costBuckets ?? createCostBuckets({ clock, sleep });

  return {
    async call(target, request) {
      const definition = target.integration.definition;
      const proxy = definition.proxy;
      if (!proxy) {
        throw new PatchbayError(
          'invalid_request',
          `Provider ${definition.name} has no API to call through the proxy (its definition has no proxy block)`,
        );
      }
      const method = request.method.toUpperCase();
      if (!METHOD.test(method)) throw new PatchbayError('invalid_request', 'The HTTP method is not valid');
      const values = templateValuesOf(target);
      const url = providerUrl(proxy.baseUrl, values, request.path, request.query, {
        allowHttp: options.allowHttpOrigins === true,
      });
      const headers = forwardableRequestHeaders(request.headers ?? {});
      const body = prepareBody(request.body, headers);
      // A streamed body keeps the length its sender declared (undici checks the bytes match);
      // other bodies get theirs computed.
      const declaredLength = declaredContentLength(request.headers);
      if (!body.replayable && declaredLength !== undefined) headers['content-length'] = declaredLength;
      if ((method === 'GET' || method === 'HEAD') && body.value !== undefined) {
        throw new PatchbayError('invalid_request', `A ${method} request cannot have a body`);
      }
      applyAuth(proxy, values, headers, url);
      const oauth1 = oauth1For(proxy, values);
      const formBody =
        typeof body.value === 'string' &&
        /^application\/x-www-form-urlencoded/i.test(headers['content-type'] ?? '')
          ? body.value
          : undefined;

      const retry: Retry = definition.retry;
      const limit: RateLimit | undefined = rateLimitFor(definition.rateLimit, values);
      const explicit = request.maxAttempts !== undefined;
      const maxAttempts = body.replayable ? Math.max(1, request.maxAttempts ?? retry.maxAttempts) : 1;
      const repeatable = isIdempotent(method) || explicit;
      const key = rateLimitKey(target, limit);
      const timeoutMs = request.timeoutMs ?? options.defaultTimeoutMs;
      const log = (attempt: number, started: number, status: number | null, errorCode: string | null) =>
        requestLog.record({
          environmentId: target.environmentId,
          connectionId: target.connectionId,
          integrationId: target.integration.id,
          method,
          host: url.host,
          path: url.pathname,
          status,
          durationMs: clock.now() - started,
          attempt,
          errorCode,
        });

      const cost = limit?.cost;
      const costBody = cost ? jsonOf(request.body) : undefined;
      for (let attempt = 1; ; attempt += 1) {
        const release = await rateLimits.acquire(key, limit, request.signal);
        let ticket: CostTicket | undefined;
        try {
          ticket = cost ? await costBuckets.acquire(key, cost, costBody, request.signal) : undefined;
        } catch (error) {
          release();
          throw error;
        }
        const started = clock.now();
        let response: Dispatcher.ResponseData;
        try {
          const target = oauth1
            ? signOAuth1(oauth1, values, {
                method,
                url,
                ...(formBody === undefined ? {} : { formBody }),
                nowMs: clock.now(),
              })
            : url;
          response = await send(
            http.dispatcher,
            target,
            method,
            headers,
            body.value,
            timeoutMs,
            request.signal,
          );
        } catch (error) {
          if (ticket) costBuckets.release(ticket);
          release();
          if (request.signal?.aborted) {
            log(attempt, started, null, 'cancelled');
            throw request.signal.reason ?? error;
          }
          const failure = toCallError(error, url);
          log(attempt, started, null, failure.code);
          if (failure.code !== 'ssrf_blocked' && repeatable && attempt < maxAttempts) {
            const delay = backoffDelay(attempt, retry, random);
            logger.debug(
              { host: url.host, path: url.pathname, attempt, code: failure.code, delay },
              'provider call retried',
            );
            await sleep(delay, request.signal);
            continue;
          }
          throw failure;
        }
        const status = response.statusCode;
        const responseHeaders = flattenHeaders(response.headers);
        log(attempt, started, status, null);
        if (cost && ticket) {
          // The bucket's state is in the body: read it whole (a JSON answer the caller parses anyway).
          const read = await readCostAnswer(response, responseHeaders).catch((error: unknown) => {
            costBuckets.release(ticket);
            release();
            throw toCallError(error, url);
          });
          let throttled = false;
          if (read.json === undefined) costBuckets.release(ticket);
          else throttled = costBuckets.settle(ticket, cost, read.json).throttled;
          if (throttled && attempt < maxAttempts) {
            // Refused unprocessed, like a 429: sent again once the bucket holds the query's cost.
            release();
            logger.debug({ host: url.host, path: url.pathname, attempt }, 'provider call throttled by cost');
            continue;
          }
          response = { ...response, body: bufferedBody(read.bytes) } as Dispatcher.ResponseData;
        }
        const asked = rateLimits.observe(key, limit, status, responseHeaders);
        const retryable = retry.retryOn.includes(status) && (status === 429 || repeatable);
        if (retryable && attempt < maxAttempts && (asked === undefined || asked <= maxRetryAfterMs)) {
          const delay = asked ?? backoffDelay(attempt, retry, random);
          await discard(response.body);
          release();
          logger.debug(
            { host: url.host, path: url.pathname, attempt, status, delay },
            'provider call retried',
          );
          await sleep(delay, request.signal);
          continue;
        }
        // Answers without a body hold no slot: nobody may ever read their (empty) stream.
        if (method === 'HEAD' || status === 204 || status === 304) release();
        return toProviderResponse(response, responseHeaders, attempt, release);
      }
    },
  };
}

/** Drops an answer's body unread (an undici body is dumped; an already buffered one destroyed). */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  if (typeof body.dump === 'function') await body.dump().catch(() => {});
  else (body as Readable).destroy();
}

/** The JSON of a request body, for a cost-based bucket's query estimate. */
function jsonOf(body: ProviderRequest['body']): unknown {
  if (body === undefined) return undefined;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof body === 'object' && body !== null && 'json' in body) return body.json;
  return undefined;
}

/** A whole answer's bytes, and its JSON when it is a JSON object. */
async function readCostAnswer(
  response: Dispatcher.ResponseData,
  headers: Readonly<Record<string, string>>,
): Promise<{ bytes: Uint8Array; json: unknown }> {
  const bytes = new Uint8Array(await response.body.arrayBuffer());
  if (!(headers['content-type'] ?? '').includes('json')) return { bytes, json: undefined };
  try {
    return { bytes, json: JSON.parse(Buffer.from(bytes).toString('utf8')) };
  } catch {
    return { bytes, json: undefined };
  }
}

function bufferedBody(bytes: Uint8Array): Dispatcher.ResponseData['body'] {
  return Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]) as never;
}

/** Who shares a rate budget: the connection (default) or the whole integration. */
export function rateLimitKey(target: CallTarget, limit: RateLimit | undefined): string {
  const base = `${target.integration.definition.name}:${target.integration.id}`;
  if (limit?.scope === 'integration') return base;
  return `${base}:${target.connectionId ?? 'connecting'}`;
}

function prepareBody(body: ProviderRequest['body'], headers: Record<string, string>): PreparedBody {
  if (body === undefined) return { replayable: true, value: undefined };
  if (typeof body === 'string' || body instanceof Uint8Array) return { replayable: true, value: body };
  if (body instanceof ReadableStream) return { replayable: false, value: Readable.fromWeb(body as never) };
  if (isNodeStream(body)) return { replayable: false, value: body as unknown as Readable };
  const json = (body as { json: unknown }).json;
  // A script's or host's value: refused before JSON.stringify would recurse through it.
  checkValueDepth(json, 'The request body');
  headers['content-type'] ??= 'application/json';
  return { replayable: true, value: JSON.stringify(json) };
}

function declaredContentLength(headers: Readonly<Record<string, string>> | undefined): string | undefined {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-length' && /^\d{1,15}$/.test(value)) return value;
  }
  return undefined;
}

function isNodeStream(value: unknown): value is NodeJS.ReadableStream {
  return typeof (value as { pipe?: unknown }).pipe === 'function';
}

class AttemptTimeout extends Error {}

async function send(
  dispatcher: Dispatcher,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | Readable | undefined,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
): Promise<Dispatcher.ResponseData> {
  // The timeout covers the wait for the response headers; it is cleared then, so that a long
  // body can stream (undici's bodyTimeout bounds the pauses between its chunks). One controller
  // serves the timeout and the caller's signal, which it follows until the body is finished (a
  // caller that gives up mid-body stops the download): AbortSignal.any() would cost a composite
  // signal and its bookkeeping on every call.
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(new AttemptTimeout()), timeoutMs);
  const onCallerAbort = () => attempt.abort(callerSignal?.reason);
  const unfollow = () => callerSignal?.removeEventListener('abort', onCallerAbort);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: method as Dispatcher.HttpMethod,
      headers,
      body: body ?? null,
      signal: attempt.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (callerSignal) response.body.once('close', unfollow);
    return response;
  } catch (error) {
    unfollow();
    if (attempt.signal.reason instanceof AttemptTimeout) throw attempt.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** A transport failure as the caller sees it: never the URL's query, never a header. */
function toCallError(error: unknown, url: URL): PatchbayError {
  if (isPatchbayError(error)) return error;
  const code = (error as { code?: unknown }).code;
  if (error instanceof AttemptTimeout || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return new PatchbayError('provider_timeout', `${url.host} did not answer in time`, {
      details: { host: url.host },
      cause: error,
    });
  }
  const reason = typeof code === 'string' ? code : 'network_error';
  return new PatchbayError('provider_unreachable', `Cannot reach ${url.host} (${reason})`, {
    details: { host: url.host, reason },
    cause: error,
  });
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

/**
 * The provider's body as the Node stream it arrives on, for an in-process consumer that writes it
 * to a Node sink (the `/proxy/*` route pipes it into the reply): no web ReadableStream is made and
 * converted back per call. Null when the response was not made by a ProviderCaller or its `body`
 * was read already; once taken, `body`, text() and json() are no longer usable.
 */
export function takeNodeBody(response: ProviderResponse): Readable | null {
  return response instanceof CallerResponse ? response.takeNodeBody() : null;
}

function toProviderResponse(
  response: Dispatcher.ResponseData,
  headers: Record<string, string>,
  attempts: number,
  release: () => void,
): ProviderResponse {
  // The concurrency slot is held until the body is finished, cancelled or failed.
  response.body.once('close', release);
  return new CallerResponse(response.statusCode, headers, attempts, response.body);
}

/**
 * A class rather than an object literal with a getter: this is made for every proxied call, and
 * its shape and methods are then shared by all of them.
 */
class CallerResponse implements ProviderResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly attempts: number;
  readonly #source: Readable;
  // The web stream is made on first use: a consumer that takes the Node stream never needs one.
  #web: ReadableStream<Uint8Array> | undefined;
  #taken = false;

  constructor(status: number, headers: Record<string, string>, attempts: number, source: Readable) {
    this.status = status;
    this.headers = headers;
    this.attempts = attempts;
    this.#source = source;
  }

  get body(): ReadableStream<Uint8Array> {
    if (this.#taken) {
      throw new PatchbayError(
        'internal_error',
        'This provider response body was already taken as a Node stream',
      );
    }
    this.#web ??= toWebStream(this.#source);
    return this.#web;
  }

  async text(): Promise<string> {
    return new Response(this.body).text();
  }

  async json<T>(): Promise<T> {
    return (await new Response(this.body).json()) as T;
  }

  takeNodeBody(): Readable | null {
    if (this.#web !== undefined || this.#taken) return null;
    this.#taken = true;
    return this.#source;
  }
}

/**
 * A web stream over a Node stream, read on demand. (Readable.toWeb can throw "Controller is
 * already closed" from a later event when the web side was cancelled; this cannot.)
 */
function toWebStream(source: Readable): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  let finished = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (finished) return;
          if (next.done) {
            finished = true;
            controller.close();
            return;
          }
          const chunk = next.value as Buffer;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        } catch (error) {
          if (finished) return;
          finished = true;
          controller.error(error);
        }
      },
      cancel() {
        finished = true;
        // Destroying an unfinished undici body emits an abort error: expected here, not a fault.
        source.on('error', () => {});
        source.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}
