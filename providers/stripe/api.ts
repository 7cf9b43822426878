/**
 * Calls to Stripe's API v1 from the Stripe scripts, through the connection's proxy (which adds
 * the key, `Stripe-Account` for Connect, the rate limit and retries): parameters form-encoded
 * (./form.ts), answers parsed, and Stripe's error object turned into `provider_error` with its
 * `type`, `code`, `param` and `decline_code` in the details. A POST carries the Idempotency-Key
 * it is given, which also makes it safe for the proxy to retry after a network error or a 5xx.
 */
import { type ActionContext, PatchbayError, type ScriptContext } from '../../src/scripts/index.ts';
import { encodeForm, type FormParams, formPairs } from './form.ts';

/**
 * The API version the scripts read answers in (the one the `stripe` SDK pins): sent with every
 * call, so the shapes do not follow an account's default version, which its owner may change.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

/** Attempts of a POST sent with an Idempotency-Key (Stripe replays the first answer to the others). */
const IDEMPOTENT_POST_ATTEMPTS = 3;
/** Stripe accepts keys of up to 255 characters. */
const MAX_KEY_LENGTH = 255;

export interface StripeRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** `/v1/invoices/in_…/finalize`; ids are put in it by the caller (see `pathOf`). */
  path: string;
  params?: FormParams;
  /** Required for every POST of the Stripe scripts: see `idempotencyKey`. */
  idempotencyKey?: string;
}

/** Stripe's error object, as it answers a failed request. */
export interface StripeErrorBody {
  type?: string;
  code?: string;
  param?: string;
  message?: string;
  decline_code?: string;
}

/** The details of a `provider_error` from Stripe (no secrets: Stripe's own fields). */
export interface StripeErrorDetails {
  status: number;
  type: string | null;
  code: string | null;
  param: string | null;
  decline_code: string | null;
}

/** Sends one request and answers the parsed JSON; a Stripe error throws `provider_error`. */
export async function stripeRequest<T>(ctx: ScriptContext, request: StripeRequest): Promise<T> {
  const pairs = formPairs(request.params ?? {});
  const response =
    request.method === 'POST'
      ? await ctx.proxy.request({
          method: 'POST',
          path: request.path,
          headers: {
            'stripe-version': STRIPE_API_VERSION,
            'content-type': 'application/x-www-form-urlencoded',
            ...(request.idempotencyKey === undefined ? {} : { 'idempotency-key': request.idempotencyKey }),
          },
          body: encodeForm(request.params ?? {}),
          ...(request.idempotencyKey === undefined ? {} : { maxAttempts: IDEMPOTENT_POST_ATTEMPTS }),
          signal: ctx.signal,
        })
      : await ctx.proxy.request({
          method: request.method,
          path: request.path,
          headers: { 'stripe-version': STRIPE_API_VERSION },
          ...(pairs.length === 0 ? {} : { query: Object.fromEntries(pairs) }),
          signal: ctx.signal,
        });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new PatchbayError(
      'provider_response_invalid',
      `Stripe answered ${request.method} ${request.path} with ${response.status} and a body that is not JSON`,
      { details: { status: response.status }, cause },
    );
  }
  if (response.status >= 200 && response.status <= 299) return body as T;
  throw stripeError(response.status, (body as { error?: StripeErrorBody }).error, request);
}

function stripeError(status: number, error: StripeErrorBody | undefined, request: StripeRequest) {
  const details: StripeErrorDetails = {
    status,
    type: error?.type ?? null,
    code: error?.code ?? null,
    param: error?.param ?? null,
    decline_code: error?.decline_code ?? null,
  };
  const message = error?.message ?? `Stripe answered ${status}`;
  return new PatchbayError('provider_error', `Stripe refused ${request.method} ${request.path}: ${message}`, {
    details,
  });
}

/** The Stripe error fields of a thrown error, or null when it is not one of Stripe's answers. */
export function stripeErrorOf(error: unknown): (StripeErrorDetails & { message: string }) | null {
  if (!(error instanceof PatchbayError) || error.code !== 'provider_error') return null;
  const details = error.details as Partial<StripeErrorDetails> | undefined;
  if (details?.status === undefined) return null;
  return {
    status: details.status,
    type: details.type ?? null,
    code: details.code ?? null,
    param: details.param ?? null,
    decline_code: details.decline_code ?? null,
    message: error.message,
  };
}

/** `/v1/invoices/${id}/finalize` with each id escaped. */
export function pathOf(strings: TemplateStringsArray, ...ids: string[]): string {
  return strings.reduce(
    (path, part, index) => path + part + (index < ids.length ? encodeURIComponent(ids[index]!) : ''),
    '',
  );
}

/**
 * The Idempotency-Key of one step (`invoice`, `item:3`) of an action run: derived from the host's
 * idempotency key when it gave one (a retry of the same request sends the same keys, so Stripe
 * creates nothing twice), else from the run's id (the proxy's own retries of this run are covered).
 * The connection id is part of it: keys are per Stripe account, and two connections to one account
 * must not answer each other's requests.
 */
export async function runKey(ctx: ActionContext, step: string): Promise<string> {
  const base = ctx.idempotencyKey === null ? `run:${ctx.runId}` : `key:${ctx.idempotencyKey}`;
  return scopedKey([ctx.connection.id, base], step);
}

/**
 * A deterministic key from `parts` (e.g. connection, rollup, buyer) and a step: readable when it
 * fits Stripe's 255 characters, else the parts are replaced by their SHA-256.
 */
export async function scopedKey(parts: readonly string[], step: string): Promise<string> {
  const readable = `patchbay:${parts.map((part) => encodeURIComponent(part)).join(':')}:${step}`;
  if (readable.length <= MAX_KEY_LENGTH) return readable;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(parts)));
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `patchbay:h:${hex}:${step}`.slice(0, MAX_KEY_LENGTH);
}

/** Stripe's list object. */
export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
}

/** Stripe's search result (`/v1/customers/search`…): pages by `next_page`. */
export interface StripeSearchResult<T> {
  object: 'search_result';
  data: T[];
  has_more: boolean;
  next_page: string | null;
}

/** Every object matching a search query, page by page (at most `maxPages` of 100). */
export async function searchAll<T>(
  ctx: ScriptContext,
  path: string,
  query: string,
  maxPages = 100,
): Promise<T[]> {
  const found: T[] = [];
  let page: string | null = null;
  for (let count = 0; count < maxPages; count++) {
    const result: StripeSearchResult<T> = await stripeRequest<StripeSearchResult<T>>(ctx, {
      method: 'GET',
      path,
      params: { query, limit: 100, ...(page === null ? {} : { page }) },
    });
    found.push(...result.data);
    if (!result.has_more || result.next_page === null) return found;
    page = result.next_page;
  }
  return found;
}

/**
 * A string for Stripe's search query language: single-quoted, with `'` and `\` escaped. Search
 * values are matched exactly (`metadata['handle']:'ana'`).
 */
export function searchString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
