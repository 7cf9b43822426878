/**
 * Calls to Whop's v1 API from the Whop scripts, through the connection's proxy (which adds the
 * key or token, paces to the rate limit and retries a 429): JSON in and out, and Whop's error
 * body (`{ error: { type | code, message } }`, https://docs.whop.com/developer/troubleshooting)
 * turned into a `PatchbayError` with Whop's type kept as `details.code` — `rate_limited` for a
 * 429 the proxy's retries did not outlast, `not_found` for a 404, `provider_error` otherwise.
 */
import { PatchbayError, type ScriptContext } from '../../src/scripts/index.ts';

export interface WhopRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  query?: Record<string, string>;
}

/** The details of a Whop refusal (Whop's own fields, no secrets). */
export interface WhopErrorDetails {
  status: number;
  /** Whop's error `type` (or `code`); null when the body had none. */
  code: string | null;
}

/** Sends one request and answers the parsed JSON; a refusal throws (see the module's doc). */
export async function whopRequest<T>(ctx: ScriptContext, request: WhopRequest): Promise<T> {
  const response = await ctx.proxy.request({
    method: request.method,
    path: request.path,
    ...(request.body === undefined ? {} : { body: { json: request.body } }),
    ...(request.query ? { query: request.query } : {}),
    signal: ctx.signal,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new PatchbayError(
      'provider_response_invalid',
      `Whop answered ${request.method} ${request.path} with ${response.status} and a body that is not JSON`,
      { details: { status: response.status }, cause },
    );
  }
  if (response.status >= 200 && response.status <= 299) return body as T;
  const error = (body as { error?: { type?: unknown; code?: unknown; message?: unknown } }).error ?? {};
  const kind =
    typeof error.type === 'string' ? error.type : typeof error.code === 'string' ? error.code : null;
  const message = typeof error.message === 'string' ? error.message : `status ${response.status}`;
  const details: WhopErrorDetails = { status: response.status, code: kind };
  const what = `${request.method} ${request.path}`;
  if (response.status === 429) {
    throw new PatchbayError('rate_limited', `Whop's rate limit held ${what}: ${message}`, { details });
  }
  if (response.status === 404) {
    throw new PatchbayError('not_found', `Whop found nothing at ${what}: ${message}`, { details });
  }
  throw new PatchbayError('provider_error', `Whop refused ${what}: ${message}`, { details });
}

/** The company a connection acts on (its `companyId` config, `biz_…`). */
export function companyOf(ctx: { connection: { config: Readonly<Record<string, string>> } }): string {
  const id = ctx.connection.config.companyId;
  if (!id) {
    throw new PatchbayError(
      'invalid_request',
      'This Whop connection has no companyId in its connection config',
      {
        details: { field: 'companyId' },
      },
    );
  }
  return id;
}
