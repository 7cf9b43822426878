/**
 * The proxy as scripts see it (`ctx.proxy`): requests go through `send` (the connection's
 * ProxyClient, which adds auth, refresh, rate limits and retries); this layer adds JSON helpers
 * with provider errors as stable codes, and the response cache for GETs that ask for it.
 */
import { PatchbayError } from '../errors/index.ts';
import { redactString } from '../logger/index.ts';
import type { ProviderRequest, ProviderResponse } from '../proxy/types.ts';
import { depthLimitText, jsonTextTooDeep, MAX_JSON_DEPTH } from '../values/json-depth.ts';
import type { CacheScope, ResponseCacheLike, ScriptProxy, ScriptRequestOptions } from './types.ts';

/** Sends one provider request for the script's connection. */
export type SendProviderRequest = (request: ProviderRequest) => Promise<ProviderResponse>;

export interface ScriptProxyOptions {
  send: SendProviderRequest;
  /** Where `cacheTtlSeconds` GETs are looked up and stored; without it they are always sent. */
  cache?: ResponseCacheLike;
  /** The connection the cache entries belong to. */
  scope: CacheScope;
}

/** How much of a provider's error body goes into `provider_error` details. */
export const ERROR_EXCERPT_CHARS = 500;

/** The longest a script may ask to cache an answer: one day. */
export const MAX_CACHE_TTL_SECONDS = 86_400;

// Bytes read from an error body to build its excerpt: enough for 500 characters of UTF-8 text.
const ERROR_EXCERPT_BYTES = ERROR_EXCERPT_CHARS * 4;

/**
 * Builds `ctx.proxy` for one script run.
 *
 * @example
 * const proxy = createScriptProxy({ send: (r) => client.request(envId, connId, r), cache, scope });
 * const me = await proxy.getJson<{ user: { id: string } }>('/v2/user', { cacheTtlSeconds: 600 });
 */
export function createScriptProxy(options: ScriptProxyOptions): ScriptProxy {
  const { send, cache, scope } = options;

  async function request(input: ProviderRequest & ScriptRequestOptions): Promise<ProviderResponse> {
    const { cacheTtlSeconds, ...providerRequest } = input;
    if (cacheTtlSeconds === undefined) return send(providerRequest);
    const ttl = checkTtl(cacheTtlSeconds, providerRequest.method);
    if (!cache) return send(providerRequest);
    const cacheKey = cacheKeyOf(providerRequest);
    const hit = await cache.get(scope, cacheKey);
    if (hit) return bytesResponse(hit.status, hit.headers, hit.body, 0);
    const response = await send(providerRequest);
    if (response.status < 200 || response.status > 299) return response;
    // Read once: the bytes go both to the cache and, as a fresh response, to the script.
    const body = new Uint8Array(await new Response(response.body).arrayBuffer());
    await cache.put(scope, cacheKey, { status: response.status, headers: response.headers, body }, ttl);
    return bytesResponse(response.status, response.headers, body, response.attempts);
  }

  return {
    request,
    async getJson<T>(
      path: string,
      opts: Omit<ProviderRequest, 'method' | 'path'> & ScriptRequestOptions = {},
    ) {
      const response = await request({ ...opts, method: 'GET', path });
      return readJson<T>(response, `GET ${path}`, { allowEmpty: false });
    },
    async sendJson<T>(
      method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      path: string,
      body: unknown,
      opts: Omit<ProviderRequest, 'method' | 'path' | 'body'> = {},
    ) {
      const response = await request({ ...opts, method, path, body: { json: body } });
      // A write may answer 204 No Content (or an empty 200): the script gets undefined.
      return readJson<T>(response, `${method} ${path}`, { allowEmpty: true });
    },
  };
}

/**
 * Checks the status and parses a provider's JSON answer. A non-2xx status throws `provider_error`
 * with `{ status, body }` (a redacted excerpt of at most 500 characters); a body that is not JSON
 * (truncated, HTML error page) or nests deeper than MAX_JSON_DEPTH throws
 * `provider_response_invalid`. With `allowEmpty`, an empty body gives undefined.
 */
export async function readJson<T>(
  response: ProviderResponse,
  what: string,
  options: { allowEmpty: boolean; signal?: AbortSignal },
): Promise<T> {
  await ensureOk(response, what, options.signal);
  let text: string;
  try {
    text = await readText(response.body, options.signal);
  } catch (cause) {
    options.signal?.throwIfAborted();
    throw new PatchbayError('provider_response_invalid', `${what}: the provider's answer could not be read`, {
      details: { status: response.status },
      cause,
    });
  }
  if (options.allowEmpty && text.trim() === '') return undefined as T;
  if (jsonTextTooDeep(text)) {
    throw new PatchbayError(
      'provider_response_invalid',
      `${what}: the provider answered ${response.status} with JSON that ${depthLimitText()}`,
      { details: { status: response.status, maxDepth: MAX_JSON_DEPTH } },
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new PatchbayError(
      'provider_response_invalid',
      `${what}: the provider answered ${response.status} with a body that is not valid JSON`,
      { details: { status: response.status, body: excerpt(text) }, cause },
    );
  }
}

/** Throws `provider_error` for a non-2xx answer, after reading a short excerpt of its body. */
export async function ensureOk(
  response: ProviderResponse,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  if (response.status >= 200 && response.status <= 299) return;
  const body = excerpt(await readHead(response.body, ERROR_EXCERPT_BYTES, signal));
  signal?.throwIfAborted();
  throw new PatchbayError('provider_error', `${what}: the provider answered ${response.status}`, {
    details: { status: response.status, body },
  });
}

/** A ProviderResponse over bytes already read (a cache hit, or an answer read to be cached). */
export function bytesResponse(
  status: number,
  headers: Record<string, string>,
  bytes: Uint8Array,
  attempts: number,
): ProviderResponse {
  let used = false;
  const take = (): ReadableStream<Uint8Array> => {
    if (used) throw new TypeError('The response body was already read');
    used = true;
    return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
  };
  return {
    status,
    headers: { ...headers },
    get body() {
      return take();
    },
    attempts,
    text: async () => new Response(take()).text(),
    json: async <T>() => (await new Response(take()).json()) as T,
  };
}

/**
 * Reads a body as text. When `signal` fires, the body is cancelled here, whatever the transport
 * does with the signal, so an abandoned read never keeps a response (and its socket) open.
 */
async function readText(body: ReadableStream<Uint8Array>, signal: AbortSignal | undefined): Promise<string> {
  const reader = body.getReader();
  const cancel = () => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (signal?.aborted) cancel();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    // A cancelled read ends like a finished one: only the signal tells them apart.
    signal?.throwIfAborted();
    return text + decoder.decode();
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

/** A redacted excerpt of at most ERROR_EXCERPT_CHARS characters (redacted whole, then cut). */
function excerpt(text: string): string {
  return redactString(text, Number.MAX_SAFE_INTEGER).slice(0, ERROR_EXCERPT_CHARS);
}

/** Reads at most `maxBytes` of a body and cancels the rest, so a huge error page is not buffered. */
async function readHead(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const cancel = () => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (signal?.aborted) cancel();
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // An error body that breaks off still gives the status; the excerpt is what arrived.
  } finally {
    signal?.removeEventListener('abort', cancel);
    await reader.cancel().catch(() => {});
  }
  const bytes = Buffer.concat(chunks).subarray(0, maxBytes);
  return new TextDecoder().decode(bytes);
}

/**
 * What identifies a GET for the cache, in a fixed key order: method, path, query and headers.
 * The signal, timeout and retry budget say how to send it, not what it asks for.
 */
function cacheKeyOf(request: ProviderRequest): ProviderRequest {
  return {
    method: 'GET',
    path: request.path,
    ...(request.query === undefined ? {} : { query: request.query }),
    ...(request.headers === undefined ? {} : { headers: request.headers }),
  };
}

function checkTtl(ttl: number, method: string): number {
  if (method.toUpperCase() !== 'GET') {
    throw new PatchbayError('invalid_request', `cacheTtlSeconds applies to GET requests only, not ${method}`);
  }
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_CACHE_TTL_SECONDS) {
    throw new PatchbayError(
      'invalid_request',
      `cacheTtlSeconds must be a whole number of seconds from 1 to ${MAX_CACHE_TTL_SECONDS}`,
      { details: { cacheTtlSeconds: ttl } },
    );
  }
  return ttl;
}
