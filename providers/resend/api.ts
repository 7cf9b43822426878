/**
 * Calls to Resend's API from the Resend scripts, through the connection's proxy (which adds the
 * key, keeps to the rate limit and retries a 429 after its `retry-after`): JSON in and out, and
 * Resend's error body (`{ statusCode, message, name }`,
 * https://resend.com/docs/api-reference/errors) turned into a `PatchbayError` with Resend's
 * `name` kept as `details.code` — `provider_error` for a refusal, `rate_limited` when Resend
 * still answers 429 after the proxy's retries.
 */
import { PatchbayError, type ScriptContext } from '../../src/scripts/index.ts';

/** Attempts of a POST that carries an Idempotency-Key (Resend answers a repeat with the first answer). */
const IDEMPOTENT_POST_ATTEMPTS = 3;
/** Resend takes keys of 1 to 256 characters. */
const MAX_KEY_LENGTH = 256;

export interface ResendRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  query?: Record<string, string>;
  idempotencyKey?: string;
}

/** The details of a Resend refusal (Resend's own fields, no secrets). */
export interface ResendErrorDetails {
  status: number;
  /** Resend's error `name` (`validation_error`, `invalid_from_address`…); null when the body had none. */
  code: string | null;
  retryAfterSeconds?: number;
}

/** Sends one request and answers the parsed JSON; a refusal throws (see the module's doc). */
export async function resendRequest<T>(ctx: ScriptContext, request: ResendRequest): Promise<T> {
  const response = await ctx.proxy.request({
    method: request.method,
    path: request.path,
    headers: request.idempotencyKey === undefined ? {} : { 'idempotency-key': request.idempotencyKey },
    ...(request.body === undefined ? {} : { body: { json: request.body } }),
    ...(request.query ? { query: request.query } : {}),
    ...(request.idempotencyKey === undefined ? {} : { maxAttempts: IDEMPOTENT_POST_ATTEMPTS }),
    signal: ctx.signal,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new PatchbayError(
      'provider_response_invalid',
      `Resend answered ${request.method} ${request.path} with ${response.status} and a body that is not JSON`,
      { details: { status: response.status }, cause },
    );
  }
  if (response.status >= 200 && response.status <= 299) return body as T;
  const error = body as { name?: unknown; message?: unknown };
  const code = typeof error.name === 'string' ? error.name : null;
  const message = typeof error.message === 'string' ? error.message : `status ${response.status}`;
  if (response.status === 429) {
    const retryAfter = Number(response.headers['retry-after']);
    const details: ResendErrorDetails = {
      status: 429,
      code,
      ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
    };
    throw new PatchbayError(
      'rate_limited',
      `Resend's rate limit held ${request.method} ${request.path}: ${message}`,
      {
        details,
      },
    );
  }
  const details: ResendErrorDetails = { status: response.status, code };
  throw new PatchbayError('provider_error', `Resend refused ${request.method} ${request.path}: ${message}`, {
    details,
  });
}

/**
 * A deterministic key for one write of an action run: from the host's idempotency key when it
 * gave one (a retried request sends the same key, so Resend sends nothing twice), else from the
 * run's id (the proxy's own retries of this run are covered). The connection id is part of it:
 * keys are per Resend team, and two connections to one team must not answer each other's
 * requests. A key over Resend's 256 characters is replaced by its SHA-256.
 */
export async function idempotencyKeyOf(
  ctx: { connection: { id: string }; runId: string; idempotencyKey: string | null },
  step: string,
): Promise<string> {
  const base = ctx.idempotencyKey === null ? `run:${ctx.runId}` : `key:${ctx.idempotencyKey}`;
  const readable = `patchbay:${encodeURIComponent(ctx.connection.id)}:${encodeURIComponent(base)}:${step}`;
  if (readable.length <= MAX_KEY_LENGTH) return readable;
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(`${ctx.connection.id}\u0000${base}`),
  );
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `patchbay:h:${hex}:${step}`;
}
