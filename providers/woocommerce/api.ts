/**
 * Calls to a WooCommerce store from this provider's scripts, through the connection's proxy
 * (which signs or authenticates them, keeps to limits and retries): JSON in and out, and
 * WordPress's error body (`{ code, message, data: { status } }`) turned into a `PatchbayError`
 * with WooCommerce's `code` kept as `details.code` — `rate_limited` for a 429 the proxy's retries
 * did not cure, `provider_error` otherwise. Bodies are never copied into messages beyond the
 * store's own error message.
 */
import { PatchbayError, type ScriptContext } from '../../src/scripts/index.ts';

export interface WooRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  query?: Record<string, string>;
  /** Attempts (a POST that creates is sent once unless the caller knows it is safe). */
  maxAttempts?: number;
}

/** The details of a store's refusal. */
export interface WooErrorDetails {
  status: number;
  /** WooCommerce's error code (`woocommerce_rest_product_invalid_id`…); null when the body had none. */
  code: string | null;
}

export async function wooRequest<T>(ctx: ScriptContext, request: WooRequest): Promise<T> {
  const response = await ctx.proxy.request({
    method: request.method,
    path: request.path,
    ...(request.body === undefined ? {} : { body: { json: request.body } }),
    ...(request.query ? { query: request.query } : {}),
    ...(request.maxAttempts === undefined ? {} : { maxAttempts: request.maxAttempts }),
    signal: ctx.signal,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new PatchbayError(
      'provider_response_invalid',
      `The store answered ${request.method} ${request.path} with ${response.status} and a body that is not JSON`,
      { details: { status: response.status }, cause },
    );
  }
  if (response.status >= 200 && response.status <= 299) return body as T;
  const error = body as { code?: unknown; message?: unknown };
  const details: WooErrorDetails = {
    status: response.status,
    code: typeof error.code === 'string' ? error.code : null,
  };
  const message = typeof error.message === 'string' ? error.message : `status ${response.status}`;
  throw new PatchbayError(
    response.status === 429 ? 'rate_limited' : 'provider_error',
    `The store refused ${request.method} ${request.path}: ${message}`,
    { details },
  );
}

/** The store's currency (`USD`), from `GET /data/currencies/current`. */
export async function storeCurrency(ctx: ScriptContext): Promise<string> {
  const current = await wooRequest<{ code: string }>(ctx, {
    method: 'GET',
    path: '/data/currencies/current',
  });
  return current.code;
}
