/**
 * `ctx.paginate`: pages through a provider listing the way its definition says (cursor, link
 * header, offset, page number, next URL), one request per page through the proxy. Each page
 * says where the next one starts (`next`), so a sync can checkpoint it and a later run resume
 * there (`startAt`).
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
import type { ProviderRequest } from '../proxy/types.ts';
import { readJson, type SendProviderRequest } from './script-proxy.ts';
import type { Page, PageCursor, PaginateRequest } from './types.ts';

export interface PaginateOptions {
  /** The provider definition's pagination; undefined when it has none (the request then gives a whole style). */
  pagination: Pagination | undefined;
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
  const base = baseUrlOf(options.proxyBaseUrl);
  const start = startOf(pagination, options.request.startAt ?? null, base);
  return {
    [Symbol.asyncIterator]: () => pages<T>({ ...options, pagination, base, start }),
  };
}

/** The value at a dot path (`data`, `paging.next.after`, `entry.0.id`), `$` being the value itself. */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '$') return value;
  let current = value;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else return undefined;
  }
  return current;
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
  base: URL;
  start: PageCursor | null;
}

interface FetchedPage {
  body: unknown;
  items: unknown[];
  headers: Record<string, string>;
  /** The URL this page was requested at (relative Link URLs resolve against it). */
  url: URL;
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
      const next = nextOf(state.pagination, page, position, state.base);
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
  const request = buildRequest(state.pagination, state.request, position);
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
      `${what}: the answer has no results array at "${resultsPath}" (found ${describe(items)})`,
      { details: { status: response.status, resultsPath } },
    );
  }
  return { body, items, headers: response.headers, url };
}

/** The request for one page: the listing's request with the style's parameters set. */
function buildRequest(
  pagination: Pagination,
  request: PaginateRequest,
  position: PageCursor | null,
): ProviderRequest {
  const { pagination: _overrides, startAt: _startAt, signal: _signal, ...rest } = request;
  const query: Record<string, string | string[]> = { ...(request.query ?? {}) };
  const limit = (): void => {
    if (pagination.limitParam !== undefined && pagination.limit !== undefined) {
      query[pagination.limitParam] = String(pagination.limit);
    }
  };
  switch (pagination.type) {
    case 'cursor': {
      const cursor = position?.type === 'cursor' ? position.cursor : undefined;
      if (pagination.cursorIn === 'body') {
        // Search endpoints take both in the JSON body (HubSpot `after` and `limit`).
        const json: Record<string, unknown> = { ...(request.body?.json ?? {}) };
        if (pagination.limitParam !== undefined) json[pagination.limitParam] = pagination.limit;
        if (cursor !== undefined) json[pagination.cursorParam] = cursor;
        return { ...rest, query, body: { json } };
      }
      limit();
      if (cursor !== undefined) query[pagination.cursorParam] = cursor;
      return { ...rest, query };
    }
    case 'link_header':
    case 'next_url':
      // A next URL carries every parameter the provider needs: the first request's are not repeated.
      if (position?.type === 'url') return { ...rest, path: position.url, query: {} };
      limit();
      return { ...rest, query };
    case 'offset':
      query[pagination.offsetParam] = String(position?.type === 'offset' ? position.offset : 0);
      query[pagination.limitParam] = String(pagination.limit);
      return { ...rest, query };
    case 'page':
      query[pagination.pageParam] = String(position?.type === 'page' ? position.page : pagination.startPage);
      limit();
      return { ...rest, query };
  }
}

/** Where the page after `page` starts, or null when `page` is the last. */
function nextOf(
  pagination: Pagination,
  page: FetchedPage,
  position: PageCursor | null,
  base: URL,
): PageCursor | null {
  switch (pagination.type) {
    case 'cursor': {
      if (pagination.hasMorePath !== undefined && !valueAt(page.body, pagination.hasMorePath)) return null;
      const cursor =
        pagination.cursorPath !== undefined
          ? valueAt(page.body, pagination.cursorPath)
          : page.items.length === 0
            ? undefined
            : valueAt(page.items.at(-1), pagination.cursorFromLastItem ?? '');
      if (cursor === undefined || cursor === null || cursor === '') {
        if (pagination.cursorFromLastItem !== undefined && page.items.length > 0) {
          throw invalidAnswer(`the last item has no "${pagination.cursorFromLastItem}" to continue from`);
        }
        return null;
      }
      if (typeof cursor !== 'string' && typeof cursor !== 'number') {
        throw invalidAnswer(`the cursor is ${describe(cursor)}, not a string`);
      }
      return { type: 'cursor', cursor: String(cursor) };
    }
    case 'link_header': {
      const target = linkTarget(header(page.headers, 'link'), pagination.rel);
      if (target === undefined) return null;
      return { type: 'url', url: sameOrigin(target, page.url, base) };
    }
    case 'offset': {
      const offset = position?.type === 'offset' ? position.offset : 0;
      const count = page.items.length;
      if (count === 0 || count < pagination.limit) return null;
      const next = offset + count;
      if (pagination.totalPath !== undefined) {
        const total = Number(valueAt(page.body, pagination.totalPath));
        if (Number.isFinite(total) && next >= total) return null;
      }
      return { type: 'offset', offset: next };
    }
    case 'page': {
      const current = position?.type === 'page' ? position.page : pagination.startPage;
      if (page.items.length === 0) return null;
      const totalPages =
        pagination.totalPagesHeader !== undefined
          ? Number(header(page.headers, pagination.totalPagesHeader) ?? Number.NaN)
          : pagination.totalPagesPath !== undefined
            ? Number(valueAt(page.body, pagination.totalPagesPath) ?? Number.NaN)
            : Number.NaN;
      if (Number.isFinite(totalPages) && current >= pagination.startPage + totalPages - 1) return null;
      return { type: 'page', page: current + 1 };
    }
    case 'next_url': {
      const target = valueAt(page.body, pagination.nextUrlPath);
      if (target === undefined || target === null || target === '') return null;
      if (typeof target !== 'string')
        throw invalidAnswer(`the next URL is ${describe(target)}, not a string`);
      // Relative next URLs (Salesforce `nextRecordsUrl`) are relative to the API's origin.
      return { type: 'url', url: sameOrigin(target, new URL(base.origin), base) };
    }
  }
}

/**
 * The target of the first link with relation `rel` in an RFC 8288 Link header
 * (`<https://…>; rel="next", <https://…>; rel="prev"`), or undefined.
 */
export function linkTarget(value: string | undefined, rel: string): string | undefined {
  if (value === undefined) return undefined;
  for (const match of value.matchAll(/<([^>]*)>([^<]*)/g)) {
    // The parameters run up to the next `<`, the comma between two links included.
    const params = (match[2] ?? '').replace(/,\s*$/, '');
    for (const param of params.split(';')) {
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
      const raw = param.slice(eq + 1).trim();
      const rels = (
        raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw
      ).split(/\s+/);
      if (rels.some((r) => r.toLowerCase() === rel.toLowerCase())) return match[1];
    }
  }
  return undefined;
}

function sameOrigin(target: string, against: URL, base: URL): string {
  let url: URL;
  try {
    url = new URL(target, against);
  } catch (cause) {
    throw invalidAnswer(`the next page's URL is not a valid URL`, cause);
  }
  if (url.origin !== base.origin || url.username !== '' || url.password !== '') {
    // Following it would send the connection's credentials to another host.
    throw invalidAnswer(`the next page's URL is on ${url.origin}, not on the API's origin ${base.origin}`);
  }
  return url.href;
}

function startOf(pagination: Pagination, startAt: PageCursor | null, base: URL): PageCursor | null {
  if (startAt === null) return null;
  const parsed = pageCursorSchema.safeParse(startAt);
  const expected =
    pagination.type === 'link_header' || pagination.type === 'next_url' ? 'url' : pagination.type;
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

function header(headers: Record<string, string>, name: string): string | undefined {
  if (headers[name] !== undefined) return headers[name];
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function invalidAnswer(message: string, cause?: unknown): PatchbayError {
  return new PatchbayError('provider_response_invalid', `Pagination: ${message}`, { cause });
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
