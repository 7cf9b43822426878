/**
 * `ctx.paginate`: pages through a provider listing the way its definition says, one request per
 * page through the proxy. Each style is a paginator (./pagination/<style>.ts, or the provider's
 * own from its folder) that only sets a page's parameters and finds where the next page starts;
 * this engine does the rest for all of them alike. Each page says where the next one starts
 * (`next`), so a sync can checkpoint it and a later run resume there (`startAt`).
 *
 * The next page is requested as soon as the current one is parsed, while the script is still
 * saving the current one (depth 1): listing time becomes max(provider, script) per page instead
 * of their sum. A listing the script leaves early (break, throw) aborts that prefetch and waits
 * for it to settle, so no response body or socket is left behind.
 */
import { z } from 'zod';
import { describeIssues } from '../catalog/define.ts';
import { type Pagination, paginationSchema } from '../catalog/pagination.ts';
import { PatchbayError } from '../errors/index.ts';
import {
  type BoundPaginator,
  type CustomPaginator,
  type FetchedPage,
  paginatorFor,
} from './pagination/index.ts';
import { describeValue, invalidAnswer, valueAt } from './pagination/read.ts';
import { readJson, type SendProviderRequest } from './script-proxy.ts';
import type { Page, PageCursor, PaginateRequest } from './types.ts';

export { linkTarget, valueAt } from './pagination/index.ts';

export interface PaginateOptions {
  /** The provider definition's pagination; undefined when it has none (the request then gives a whole style). */
  pagination: Pagination | undefined;
  /** The provider's own paginators (from its folder), for `{ type: 'custom', name }`. */
  paginators?: ReadonlyMap<string, CustomPaginator<unknown>> | undefined;
  request: PaginateRequest;
  send: SendProviderRequest;
  /** The connection's rendered proxy base URL: next URLs must stay on its origin. */
  proxyBaseUrl: string;
  /** Aborts the listing (run cancelled or timed out). */
  signal?: AbortSignal;
}

/**
 * Pages through a listing. Validation problems (overrides that make an invalid style, a
 * `startAt` of another style) throw `invalid_request` right away; provider failures throw while
 * iterating: `provider_error` for a non-2xx answer, `provider_response_invalid` for a body that
 * is not JSON, a missing results array, a next URL on another origin, or a cursor that repeats.
 *
 * @example
 * for await (const page of paginate({ pagination, request: { method: 'GET', path: '/v1/customers' }, send, proxyBaseUrl })) {
 *   await save(page.items);
 *   await checkpoint.save({ next: page.next });
 * }
 */
export function paginate<T = unknown>(options: PaginateOptions): AsyncIterable<Page<T>> {
  const pagination = resolvePagination(options.pagination, options.request.pagination);
  const style = paginatorFor(pagination, options.paginators);
  const base = baseUrlOf(options.proxyBaseUrl);
  const start = startOf(pagination, style, options.request.startAt ?? null, base);
  return {
    [Symbol.asyncIterator]: () => pages<T>({ ...options, pagination, style, base, start }),
  };
}

/**
 * The definition's pagination with a listing's overrides, validated again. Overrides naming
 * another `type` replace the definition's style instead of being merged into it.
 */
export function resolvePagination(
  definition: Pagination | undefined,
  overrides: Record<string, unknown> | undefined,
): Pagination {
  if (overrides === undefined && definition !== undefined) return definition;
  if (overrides === undefined) {
    throw new PatchbayError(
      'invalid_request',
      'This provider has no pagination in its definition: give the listing a whole style in request.pagination (type, and its fields)',
    );
  }
  const replaces = overrides.type !== undefined && overrides.type !== definition?.type;
  const merged = replaces ? overrides : { ...definition, ...overrides };
  const result = paginationSchema.safeParse(merged);
  if (!result.success) {
    const issues = describeIssues(result.error);
    throw new PatchbayError(
      'invalid_request',
      `Invalid pagination for this listing:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
      { details: { issues }, cause: result.error },
    );
  }
  return result.data;
}

interface State extends PaginateOptions {
  pagination: Pagination;
  style: BoundPaginator;
  base: URL;
  start: PageCursor | null;
}

async function* pages<T>(state: State): AsyncGenerator<Page<T>, void, undefined> {
  const controller = new AbortController();
  const signals = [controller.signal, state.signal, state.request.signal].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  const signal = AbortSignal.any(signals);
  let position = state.start;
  let pending: Promise<FetchedPage> | undefined = fetchPage(state, position, signal);
  let number = 0;
  try {
    while (pending !== undefined) {
      const page: FetchedPage = await pending;
      pending = undefined;
      number += 1;
      const next = checkedNext(state, state.style.paginator.next(state.style.settings, page, position));
      if (next !== null && sameCursor(next, position)) {
        throw new PatchbayError(
          'provider_response_invalid',
          `${state.request.method} ${state.request.path}: page ${number} points to itself as the next page; stopping instead of looping`,
          { details: { page: number, next } },
        );
      }
      if (next !== null) {
        pending = fetchPage(state, next, signal);
        // Marks the prefetch handled: its failure surfaces when the loop awaits it, not as an
        // unhandled rejection while the script is busy with this page.
        pending.catch(() => {});
      }
      position = next;
      yield { items: page.items as T[], next, body: page.body, number };
    }
  } finally {
    if (pending !== undefined) {
      controller.abort();
      await pending.catch(() => {});
    }
  }
}

async function fetchPage(
  state: State,
  position: PageCursor | null,
  signal: AbortSignal,
): Promise<FetchedPage> {
  const { pagination: _overrides, startAt: _startAt, signal: _signal, ...listing } = state.request;
  const request = state.style.paginator.request(state.style.settings, listing, position);
  const url = requestUrl(state.base, request.path);
  const what = `${request.method} ${url.pathname}`;
  const response = await state.send({ ...request, signal });
  if (signal.aborted) {
    // A transport that ignored the signal: release the body rather than read it.
    await response.body.cancel().catch(() => {});
    signal.throwIfAborted();
  }
  const body = await readJson<unknown>(response, what, { allowEmpty: false, signal });
  const resultsPath = state.pagination.resultsPath ?? '$';
  const items = valueAt(body, resultsPath);
  if (!Array.isArray(items)) {
    throw new PatchbayError(
      'provider_response_invalid',
      `${what}: the answer has no results array at "${resultsPath}" (found ${describeValue(items)})`,
      { details: { status: response.status, resultsPath } },
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = value;
  return { body, items, headers, url, base: state.base };
}

function startOf(
  pagination: Pagination,
  style: BoundPaginator,
  startAt: PageCursor | null,
  base: URL,
): PageCursor | null {
  if (startAt === null) return null;
  const parsed = pageCursorSchema.safeParse(startAt);
  const expected = style.paginator.position;
  if (!parsed.success || parsed.data.type !== expected) {
    throw new PatchbayError(
      'invalid_request',
      `startAt does not fit ${pagination.type} pagination: expected { type: '${expected}', … } as a page's "next" gives it`,
      { details: { startAt } },
    );
  }
  if (parsed.data.type === 'url') {
    const url = URL.parse(parsed.data.url);
    if (url === null || url.origin !== base.origin) {
      throw new PatchbayError(
        'invalid_request',
        `startAt.url must be a URL on the API's origin ${base.origin}`,
      );
    }
  }
  return parsed.data;
}

/**
 * What a paginator answered as the next position, checked for every style alike (a provider's own
 * paginator is code the engine does not vouch for): a position of the paginator's kind, and a
 * next URL on the API's origin without user info — else the connection's credentials would go
 * to another host.
 */
function checkedNext(state: State, next: PageCursor | null): PageCursor | null {
  if (next === null) return null;
  const kind = state.style.paginator.position;
  if (!pageCursorSchema.safeParse(next).success || next.type !== kind) {
    throw new PatchbayError(
      'script_definition_invalid',
      `Pagination: the ${state.pagination.type} paginator gave ${JSON.stringify(next).slice(0, 200)} as the next page, not a { type: '${kind}', … } position`,
    );
  }
  if (next.type === 'url') {
    const url = URL.parse(next.url);
    if (url === null || url.origin !== state.base.origin || url.username !== '' || url.password !== '') {
      throw invalidAnswer(`the next page's URL is not on the API's origin ${state.base.origin}`);
    }
  }
  return next;
}

const pageCursorSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('cursor'), cursor: z.string().min(1) }),
  z.strictObject({ type: z.literal('offset'), offset: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('page'), page: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('url'), url: z.string().min(1) }),
]);

function sameCursor(a: PageCursor, b: PageCursor | null): boolean {
  if (b === null || a.type !== b.type) return false;
  switch (a.type) {
    case 'cursor':
      return a.cursor === (b as typeof a).cursor;
    case 'offset':
      return a.offset === (b as typeof a).offset;
    case 'page':
      return a.page === (b as typeof a).page;
    case 'url':
      return a.url === new URL((b as typeof a).url).href;
  }
}

function baseUrlOf(proxyBaseUrl: string): URL {
  const url = URL.parse(proxyBaseUrl);
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new PatchbayError('invalid_request', 'proxyBaseUrl must be an absolute http(s) URL');
  }
  return url;
}

/** The URL the proxy will call for `path` (same rule as src/proxy/url.ts: paths are below the base path). */
function requestUrl(base: URL, path: string): URL {
  if (/^https?:/i.test(path)) return new URL(path);
  const basePath = base.pathname.replace(/\/+$/, '');
  return new URL(`${base.origin}${basePath}${path.startsWith('/') ? path : `/${path}`}`);
}
