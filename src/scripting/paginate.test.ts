import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import type { Pagination } from '../catalog/pagination.ts';
import { isPatchbayError } from '../errors/index.ts';
import { definePaginator } from './define.ts';
import { linkTarget, paginate, resolvePagination } from './paginate.ts';
import type { CustomPaginator } from './pagination/index.ts';
import type { SendProviderRequest } from './script-proxy.ts';
import type { Page, PageCursor, PaginateRequest } from './types.ts';

type Handler = (request: IncomingMessage, url: URL, body: string, response: ServerResponse) => void;

const ITEMS = Array.from({ length: 7 }, (_, i) => ({ id: `i${i + 1}` }));
const ids = (pages: Page<{ id: string }>[]) => pages.flatMap((page) => page.items.map((item) => item.id));

let handler: Handler = (_req, _url, _body, res) => res.writeHead(404).end();
let origin = '';
let baseUrl = '';
/** Every request the server saw, as `METHOD /path?query` (and the JSON body when there is one). */
let seen: string[] = [];
/** Sends in flight: started and not yet settled (body read, cancelled, or failed). */
let inflight = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', origin);
    const body = Buffer.concat(chunks).toString();
    seen.push(`${req.method} ${url.pathname}${url.search}${body ? ` ${body}` : ''}`);
    handler(req, url, body, res);
  });
});

function json(res: ServerResponse, body: unknown, headers: Record<string, string> = {}, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A transport like the proxy's: fetch to the test server, relative paths below the base URL. */
const send: SendProviderRequest = async (request) => {
  const url = /^https?:/.test(request.path) ? new URL(request.path) : new URL(`${baseUrl}${request.path}`);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const item of [value].flat()) url.searchParams.append(name, item);
  }
  const body =
    typeof request.body === 'object' && request.body !== null && 'json' in request.body
      ? JSON.stringify(request.body.json)
      : undefined;
  inflight += 1;
  let settled = false;
  const settle = () => {
    if (!settled) inflight -= 1;
    settled = true;
  };
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers: { ...request.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (err) {
    settle();
    throw err;
  }
  const source = (response.body ?? new Blob([]).stream()).getReader();
  // The body as the paginator sees it: settled when read to the end, failed or cancelled.
  const tracked = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await source.read();
        if (done) {
          settle();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        settle();
        controller.error(err);
      }
    },
    async cancel(reason) {
      settle();
      await source.cancel(reason);
    },
  });
  const read = async <T>(how: (r: Response) => Promise<T>): Promise<T> => {
    try {
      return await how(new Response(tracked));
    } finally {
      settle();
    }
  };
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    get body() {
      return tracked;
    },
    attempts: 1,
    text: () => read((r) => r.text()),
    json: <T>() => read((r) => r.json() as Promise<T>),
  };
};

async function collect<T>(iterable: AsyncIterable<Page<T>>): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  for await (const page of iterable) pages.push(page);
  return pages;
}

function list(
  pagination: Pagination | undefined,
  request: Partial<PaginateRequest> = {},
  signal?: AbortSignal,
) {
  return paginate<{ id: string }>({
    pagination,
    request: { method: 'GET', path: '/items', ...request },
    send,
    proxyBaseUrl: baseUrl,
    ...(signal ? { signal } : {}),
  });
}

function pagination(input: Record<string, unknown>): Pagination {
  return resolvePagination(undefined, input);
}

const errorCode = (code: string, includes?: string) => (err: unknown) =>
  isPatchbayError(err) && err.code === code && (includes === undefined || err.message.includes(includes));

describe('paginate', () => {
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    baseUrl = `${origin}/api`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const reset = (next: Handler) => {
    handler = next;
    seen = [];
    inflight = 0;
  };

  describe('cursor', () => {
    it('follows cursorPath until no cursor comes back', async () => {
      reset((_req, url, _body, res) => {
        const start = Number(url.searchParams.get('after') ?? 0);
        const limit = Number(url.searchParams.get('limit'));
        const end = start + limit;
        json(res, { data: ITEMS.slice(start, end), meta: { next: end < ITEMS.length ? String(end) : null } });
      });
      const style = pagination({
        type: 'cursor',
        cursorParam: 'after',
        cursorPath: 'meta.next',
        resultsPath: 'data',
        limitParam: 'limit',
        limit: 3,
      });
      const pages = await collect(list(style));
      assert.deepEqual(
        ids(pages),
        ITEMS.map((i) => i.id),
      );
      assert.deepEqual(seen, [
        'GET /api/items?limit=3',
        'GET /api/items?limit=3&after=3',
        'GET /api/items?limit=3&after=6',
      ]);
      assert.deepEqual(
        pages.map((p) => [p.number, p.next]),
        [
          [1, { type: 'cursor', cursor: '3' }],
          [2, { type: 'cursor', cursor: '6' }],
          [3, null],
        ],
      );
      assert.deepEqual((pages[0]!.body as { meta: unknown }).meta, { next: '3' });
    });

    it('takes the cursor from the last item and stops when hasMorePath is false (Stripe)', async () => {
      reset((_req, url, _body, res) => {
        const after = url.searchParams.get('starting_after');
        const start = after === null ? 0 : ITEMS.findIndex((i) => i.id === after) + 1;
        const data = ITEMS.slice(start, start + 3);
        json(res, { object: 'list', data, has_more: start + 3 < ITEMS.length });
      });
      const style = pagination({
        type: 'cursor',
        cursorParam: 'starting_after',
        cursorFromLastItem: 'id',
        hasMorePath: 'has_more',
        resultsPath: 'data',
        limitParam: 'limit',
        limit: 3,
      });
      const pages = await collect(list(style, { query: { status: 'paid' } }));
      assert.deepEqual(
        ids(pages),
        ITEMS.map((i) => i.id),
      );
      assert.deepEqual(seen, [
        'GET /api/items?status=paid&limit=3',
        'GET /api/items?status=paid&limit=3&starting_after=i3',
        'GET /api/items?status=paid&limit=3&starting_after=i6',
      ]);
      assert.equal(pages.at(-1)?.next, null);
    });

    it('sends the cursor and the limit in the JSON body when cursorIn is body', async () => {
      reset((_req, _url, body, res) => {
        const { after, limit } = JSON.parse(body) as { after?: string; limit: number };
        const start = Number(after ?? 0);
        const end = start + limit;
        json(res, {
          results: ITEMS.slice(start, end),
          paging: end < ITEMS.length ? { next: { after: String(end) } } : {},
        });
      });
      const style = pagination({
        type: 'cursor',
        cursorParam: 'after',
        cursorPath: 'paging.next.after',
        cursorIn: 'body',
        resultsPath: 'results',
        limitParam: 'limit',
        limit: 3,
      });
      const pages = await collect(
        list(style, { method: 'POST', path: '/search', body: { json: { query: 'x' } } }),
      );
      assert.deepEqual(
        ids(pages),
        ITEMS.map((i) => i.id),
      );
      assert.deepEqual(seen, [
        'POST /api/search {"query":"x","limit":3}',
        'POST /api/search {"query":"x","limit":3,"after":"3"}',
        'POST /api/search {"query":"x","limit":3,"after":"6"}',
      ]);
    });
  });

  describe('link_header', () => {
    it('follows rel="next" links on the same origin, without repeating the first query', async () => {
      reset((_req, url, _body, res) => {
        const start = Number(url.searchParams.get('page_info') ?? 0);
        const end = start + 3;
        const links = [`<${origin}/api/items?page_info=0>; rel="previous"`];
        if (end < ITEMS.length) links.push(`<${origin}/api/items?page_info=${end}&limit=3>; rel="next"`);
        json(res, { items: ITEMS.slice(start, end) }, { link: links.join(', ') });
      });
      const style = pagination({ type: 'link_header', resultsPath: 'items', limitParam: 'limit', limit: 3 });
      const pages = await collect(list(style, { query: { fields: 'id' } }));
      assert.deepEqual(
        ids(pages),
        ITEMS.map((i) => i.id),
      );
      assert.deepEqual(seen, [
        'GET /api/items?fields=id&limit=3',
        'GET /api/items?page_info=3&limit=3',
        'GET /api/items?page_info=6&limit=3',
      ]);
      assert.deepEqual(pages[0]?.next, { type: 'url', url: `${origin}/api/items?page_info=3&limit=3` });
    });

    it('refuses a next link on another origin without requesting it', async () => {
      reset((_req, _url, _body, res) => {
        json(res, ITEMS.slice(0, 3), { link: '<https://evil.example/api/items?page=2>; rel="next"' });
      });
      const style = pagination({ type: 'link_header' });
      await assert.rejects(
        collect(list(style)),
        errorCode('provider_response_invalid', 'https://evil.example'),
      );
      assert.equal(seen.length, 1);
    });
  });

  describe('offset', () => {
    const offsetServer =
      (total: number, withTotal: boolean): Handler =>
      (_req, url, _body, res) => {
        const offset = Number(url.searchParams.get('offset'));
        const count = Number(url.searchParams.get('count'));
        json(res, {
          members: ITEMS.slice(0, total).slice(offset, offset + count),
          ...(withTotal ? { total_items: total } : {}),
        });
      };
    const style = (extra: Record<string, unknown> = {}) =>
      pagination({
        type: 'offset',
        offsetParam: 'offset',
        limitParam: 'count',
        limit: 3,
        resultsPath: 'members',
        ...extra,
      });

    it('stops on a short page', async () => {
      reset(offsetServer(7, false));
      const pages = await collect(list(style()));
      assert.deepEqual(
        ids(pages),
        ITEMS.map((i) => i.id),
      );
      assert.deepEqual(seen, [
        'GET /api/items?offset=0&count=3',
        'GET /api/items?offset=3&count=3',
        'GET /api/items?offset=6&count=3',
      ]);
      assert.deepEqual(pages[1]?.next, { type: 'offset', offset: 6 });
    });

    it('stops on an empty page', async () => {
      reset(offsetServer(6, false));
      const pages = await collect(list(style()));
      assert.equal(seen.length, 3);
      assert.deepEqual(
        pages.map((p) => p.items.length),
        [3, 3, 0],
      );
    });

    it('stops one request early when totalPath says everything was listed', async () => {
      reset(offsetServer(6, true));
      const pages = await collect(list(style({ totalPath: 'total_items' })));
      assert.deepEqual(ids(pages), ['i1', 'i2', 'i3', 'i4', 'i5', 'i6']);
      assert.equal(seen.length, 2);
      assert.equal(pages.at(-1)?.next, null);
    });
  });

  describe('page', () => {
    const pageServer: Handler = (_req, url, _body, res) => {
      const page = Number(url.searchParams.get('page'));
      const perPage = Number(url.searchParams.get('per_page'));
      const first = url.searchParams.get('zero') === '1' ? 0 : 1;
      const start = (page - first) * perPage;
      json(res, ITEMS.slice(start, start + perPage), {
        'x-wp-totalpages': String(Math.ceil(ITEMS.length / perPage)),
      });
    };

    it('stops at the total pages header', async () => {
      reset(pageServer);
      const style = pagination({
        type: 'page',
        pageParam: 'page',
        totalPagesHeader: 'x-wp-totalpages',
        limitParam: 'per_page',
        limit: 3,
      });
      const pages = await collect(list(style));
      assert.deepEqual(
        ids(pages),
        ITEMS.map((i) => i.id),
      );
      assert.deepEqual(seen, [
        'GET /api/items?page=1&per_page=3',
        'GET /api/items?page=2&per_page=3',
        'GET /api/items?page=3&per_page=3',
      ]);
      assert.deepEqual(pages[0]?.next, { type: 'page', page: 2 });
    });

    it('stops at totalPagesPath, counting from startPage 0', async () => {
      reset((_req, url, _body, res) => {
        const page = Number(url.searchParams.get('p'));
        json(res, { rows: ITEMS.slice(page * 3, page * 3 + 3), info: { pages: 3 } });
      });
      const style = pagination({
        type: 'page',
        pageParam: 'p',
        startPage: 0,
        totalPagesPath: 'info.pages',
        resultsPath: 'rows',
      });
      const pages = await collect(list(style));
      assert.deepEqual(
        ids(pages),
        ITEMS.map((i) => i.id),
      );
      assert.deepEqual(seen, ['GET /api/items?p=0', 'GET /api/items?p=1', 'GET /api/items?p=2']);
    });

    it('stops on an empty page without a total', async () => {
      reset(pageServer);
      const style = pagination({ type: 'page', pageParam: 'page', limitParam: 'per_page', limit: 3 });
      const pages = await collect(list(style));
      assert.deepEqual(
        ids(pages),
        ITEMS.map((i) => i.id),
      );
      assert.equal(seen.length, 4);
      assert.deepEqual(pages.at(-1)?.items, []);
    });
  });

  describe('next_url', () => {
    it('resolves relative next URLs against the base URL origin', async () => {
      reset((_req, url, _body, res) => {
        const start = Number(url.searchParams.get('from') ?? 0);
        const end = start + 3;
        json(res, {
          records: ITEMS.slice(start, end),
          nextRecordsUrl: end < ITEMS.length ? `/api/query/next?from=${end}` : null,
        });
      });
      const style = pagination({ type: 'next_url', nextUrlPath: 'nextRecordsUrl', resultsPath: 'records' });
      const pages = await collect(list(style, { path: '/query', query: { q: 'SELECT Id FROM Account' } }));
      assert.deepEqual(
        ids(pages),
        ITEMS.map((i) => i.id),
      );
      assert.deepEqual(seen, [
        'GET /api/query?q=SELECT+Id+FROM+Account',
        'GET /api/query/next?from=3',
        'GET /api/query/next?from=6',
      ]);
      assert.deepEqual(pages[0]?.next, { type: 'url', url: `${origin}/api/query/next?from=3` });
    });

    it('refuses an absolute next URL on another origin', async () => {
      reset((_req, _url, _body, res) =>
        json(res, { records: [ITEMS[0]], next: 'http://127.0.0.2:1/api/query/next' }),
      );
      const style = pagination({ type: 'next_url', nextUrlPath: 'next', resultsPath: 'records' });
      await assert.rejects(
        collect(list(style)),
        errorCode('provider_response_invalid', 'http://127.0.0.2:1'),
      );
      assert.equal(seen.length, 1);
    });
  });

  describe('resume', () => {
    const cursorStyle = pagination({
      type: 'cursor',
      cursorParam: 'after',
      cursorPath: 'next',
      resultsPath: 'data',
      limitParam: 'limit',
      limit: 3,
    });
    const cursorServer: Handler = (_req, url, _body, res) => {
      const start = Number(url.searchParams.get('after') ?? 0);
      json(res, {
        data: ITEMS.slice(start, start + 3),
        next: start + 3 < ITEMS.length ? String(start + 3) : null,
      });
    };

    it('starts at a checkpointed cursor and numbers pages from 1', async () => {
      reset(cursorServer);
      let checkpoint: PageCursor | null = null;
      for await (const page of list(cursorStyle)) {
        checkpoint = page.next;
        break;
      }
      assert.deepEqual(checkpoint, { type: 'cursor', cursor: '3' });
      seen = [];
      const resumed = await collect(list(cursorStyle, { startAt: JSON.parse(JSON.stringify(checkpoint)) }));
      assert.deepEqual(ids(resumed), ['i4', 'i5', 'i6', 'i7']);
      assert.deepEqual(
        resumed.map((p) => p.number),
        [1, 2],
      );
      assert.equal(seen[0], 'GET /api/items?limit=3&after=3');
    });

    it('resumes a link_header listing at a stored URL', async () => {
      reset((_req, url, _body, res) => {
        const start = Number(url.searchParams.get('page_info') ?? 0);
        const next =
          start + 3 < ITEMS.length ? `<${origin}/api/items?page_info=${start + 3}>; rel="next"` : '';
        json(res, ITEMS.slice(start, start + 3), next ? { link: next } : {});
      });
      const pages = await collect(
        list(pagination({ type: 'link_header' }), {
          startAt: { type: 'url', url: `${origin}/api/items?page_info=6` },
        }),
      );
      assert.deepEqual(ids(pages), ['i7']);
      assert.deepEqual(seen, ['GET /api/items?page_info=6']);
    });

    it('refuses a startAt of another style or on another origin', () => {
      assert.throws(
        () => list(cursorStyle, { startAt: { type: 'page', page: 2 } }),
        errorCode('invalid_request', 'startAt'),
      );
      assert.throws(
        () =>
          list(pagination({ type: 'next_url', nextUrlPath: 'next' }), {
            startAt: { type: 'url', url: 'https://evil.example/x' },
          }),
        errorCode('invalid_request', 'startAt.url'),
      );
      assert.throws(
        () => list(cursorStyle, { startAt: { type: 'cursor', cursor: '' } }),
        errorCode('invalid_request', 'startAt'),
      );
    });
  });

  describe('prefetch', () => {
    it('requests page n+1 before the consumer is done with page n', { timeout: 10_000 }, async () => {
      const order: string[] = [];
      let sawPage2!: () => void;
      const page2Seen = new Promise<void>((resolve) => {
        sawPage2 = resolve;
      });
      reset((_req, url, _body, res) => {
        const page = Number(url.searchParams.get('page'));
        order.push(`server: page ${page}`);
        if (page === 2) sawPage2();
        json(res, page <= 2 ? ITEMS.slice((page - 1) * 3, page * 3) : []);
      });
      const style = pagination({ type: 'page', pageParam: 'page' });
      for await (const page of list(style)) {
        order.push(`consumer: got page ${page.number}`);
        // Without prefetch the server never sees page 2 while page 1 is held: the test times out.
        if (page.number === 1) await page2Seen;
        order.push(`consumer: released page ${page.number}`);
      }
      assert.deepEqual(order.slice(0, 4), [
        'server: page 1',
        'consumer: got page 1',
        'server: page 2',
        'consumer: released page 1',
      ]);
      assert.equal(order.filter((line) => line.startsWith('server')).length, 3);
    });

    it('aborts the prefetched request when the consumer breaks, leaving nothing pending', {
      timeout: 10_000,
    }, async () => {
      let page2Closed!: () => void;
      const closed = new Promise<void>((resolve) => {
        page2Closed = resolve;
      });
      let page2Started!: () => void;
      const started = new Promise<void>((resolve) => {
        page2Started = resolve;
      });
      reset((_req, url, _body, res) => {
        const page = Number(url.searchParams.get('page'));
        if (page === 1) return json(res, ITEMS.slice(0, 3));
        // Page 2 starts its body and never finishes it: only an abort releases it.
        res.on('close', page2Closed);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[{"id":"i4"},', () => page2Started());
      });
      const style = pagination({ type: 'page', pageParam: 'page' });
      let pagesSeen = 0;
      for await (const _page of list(style)) {
        pagesSeen += 1;
        await started;
        break;
      }
      assert.equal(pagesSeen, 1);
      assert.equal(inflight, 0, 'the prefetched response is settled when the loop exits');
      await closed;
      assert.equal(seen.length, 2);
    });

    it('cancels the prefetched body itself when the transport ignores the signal', {
      timeout: 10_000,
    }, async () => {
      let page2Closed!: () => void;
      const closed = new Promise<void>((resolve) => {
        page2Closed = resolve;
      });
      let page2Started!: () => void;
      const started = new Promise<void>((resolve) => {
        page2Started = resolve;
      });
      reset((_req, url, _body, res) => {
        if (url.searchParams.get('page') === '1') return json(res, ITEMS.slice(0, 3));
        res.on('close', page2Closed);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[{"id":"i4"},', () => page2Started());
      });
      let page2Headers!: () => void;
      const headers = new Promise<void>((resolve) => {
        page2Headers = resolve;
      });
      const deaf: SendProviderRequest = async ({ signal: _ignored, ...request }) => {
        const response = await send(request);
        if (request.query?.page === '2') page2Headers();
        return response;
      };
      const listing = paginate<{ id: string }>({
        pagination: pagination({ type: 'page', pageParam: 'page' }),
        request: { method: 'GET', path: '/items' },
        send: deaf,
        proxyBaseUrl: baseUrl,
      });
      for await (const _page of listing) {
        await started;
        await headers;
        // One turn of the event loop: the paginator is now reading page 2's stalled body.
        await new Promise<void>((resolve) => setImmediate(resolve));
        break;
      }
      assert.equal(inflight, 0);
      await closed;
    });

    it('aborts the prefetch when the consumer throws, and rethrows the consumer error', async () => {
      reset((_req, url, _body, res) => {
        const page = Number(url.searchParams.get('page'));
        json(res, ITEMS.slice((page - 1) * 3, page * 3));
      });
      const style = pagination({ type: 'page', pageParam: 'page' });
      await assert.rejects(
        (async () => {
          for await (const _page of list(style)) throw new Error('script failed');
        })(),
        /script failed/,
      );
      assert.equal(inflight, 0);
    });

    it('stops with the abort reason when the run signal fires', async () => {
      reset((_req, url, _body, res) => {
        const page = Number(url.searchParams.get('page'));
        json(res, ITEMS.slice((page - 1) * 3, page * 3));
      });
      const controller = new AbortController();
      const reason = new Error('run cancelled');
      const pages: number[] = [];
      await assert.rejects(
        (async () => {
          for await (const page of list(
            pagination({ type: 'page', pageParam: 'page' }),
            {},
            controller.signal,
          )) {
            pages.push(page.number);
            controller.abort(reason);
          }
        })(),
        (err: unknown) => err === reason,
      );
      assert.deepEqual(pages, [1]);
      assert.equal(inflight, 0);
    });
  });

  describe('errors', () => {
    const style = pagination({
      type: 'cursor',
      cursorParam: 'after',
      cursorPath: 'next',
      resultsPath: 'data',
    });

    it('turns a non-2xx answer into provider_error with a redacted excerpt of at most 500 characters', async () => {
      const secret = 'sk_live_51HxQ2eKf8Zr3T0pLmN4bV7cY9wA';
      reset((_req, _url, _body, res) => {
        res
          .writeHead(503, { 'content-type': 'text/plain' })
          .end(`upstream down, key ${secret} ${'x'.repeat(5000)}`);
      });
      await assert.rejects(collect(list(style)), (err: unknown) => {
        assert.ok(isPatchbayError(err, 'provider_error'));
        const details = err.details as { status: number; body: string };
        assert.equal(details.status, 503);
        assert.ok(details.body.startsWith('upstream down, key '));
        assert.ok(!details.body.includes(secret));
        assert.ok(details.body.length <= 500);
        return true;
      });
    });

    it('turns a truncated JSON page into provider_response_invalid', async () => {
      reset((_req, _url, _body, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"i1"},{"id":');
      });
      await assert.rejects(collect(list(style)), errorCode('provider_response_invalid', 'not valid JSON'));
    });

    it('turns a missing or non-array results field into provider_response_invalid', async () => {
      reset((_req, _url, _body, res) => json(res, { items: [] }));
      await assert.rejects(collect(list(style)), errorCode('provider_response_invalid', '"data"'));
      reset((_req, _url, _body, res) => json(res, { data: { id: 'x' } }));
      await assert.rejects(collect(list(style)), errorCode('provider_response_invalid', 'an object'));
    });

    it('stops a listing whose cursor repeats', async () => {
      reset((_req, _url, _body, res) => json(res, { data: [ITEMS[0]], next: 'same' }));
      const pages: number[] = [];
      await assert.rejects(
        (async () => {
          for await (const page of list(style)) pages.push(page.number);
        })(),
        errorCode('provider_response_invalid', 'points to itself'),
      );
      assert.deepEqual(pages, [1]);
      assert.equal(seen.length, 2);
    });

    it('refuses a cursorFromLastItem listing whose last item has no cursor field', async () => {
      reset((_req, _url, _body, res) => json(res, { data: [{ name: 'no id' }], has_more: true }));
      const stripe = pagination({
        type: 'cursor',
        cursorParam: 'starting_after',
        cursorFromLastItem: 'id',
        hasMorePath: 'has_more',
        resultsPath: 'data',
      });
      await assert.rejects(collect(list(stripe)), errorCode('provider_response_invalid', '"id"'));
    });
  });

  describe("a provider's own paginator", () => {
    // The next page's token in a response header, sent back as a query parameter.
    const headerToken = definePaginator({
      position: 'cursor',
      options: z.object({ header: z.string(), param: z.string() }),
      request: (settings, listing, position) => ({
        ...listing,
        query: {
          ...listing.query,
          ...(position?.type === 'cursor' ? { [settings.options.param]: position.cursor } : {}),
        },
      }),
      next: (settings, page) => {
        const token = page.headers[settings.options.header];
        return token ? { type: 'cursor', cursor: token } : null;
      },
    });
    const paginators = new Map([['header-token', headerToken as CustomPaginator<unknown>]]);
    const custom = pagination({
      type: 'custom',
      name: 'header-token',
      options: { header: 'x-next-token', param: 'token' },
      resultsPath: 'data',
    });
    const listCustom = (p: Pagination, custom = paginators, request: Partial<PaginateRequest> = {}) =>
      paginate<{ id: string }>({
        pagination: p,
        paginators: custom,
        request: { method: 'GET', path: '/items', ...request },
        send,
        proxyBaseUrl: baseUrl,
      });

    it('pages by what it reads, with resume, items and loop checks from the engine', async () => {
      reset((_req, url, _body, res) => {
        const at = Number(url.searchParams.get('token') ?? '0');
        const next = at + 3 < ITEMS.length ? { 'X-Next-Token': String(at + 3) } : {};
        json(res, { data: ITEMS.slice(at, at + 3) }, next);
      });
      const pages = await collect(listCustom(custom));
      assert.deepEqual(
        ids(pages),
        ITEMS.map((item) => item.id),
      );
      assert.deepEqual(seen, ['GET /api/items', 'GET /api/items?token=3', 'GET /api/items?token=6']);
      assert.deepEqual(pages[0]?.next, { type: 'cursor', cursor: '3' });
      seen = [];
      const resumed = await collect(
        listCustom(custom, paginators, { startAt: { type: 'cursor', cursor: '6' } }),
      );
      assert.deepEqual(ids(resumed), ['i7']);
      assert.throws(
        () => listCustom(custom, paginators, { startAt: { type: 'page', page: 2 } }),
        errorCode('invalid_request', "expected { type: 'cursor'"),
      );
      reset((_req, _url, _body, res) => json(res, { data: ITEMS.slice(0, 3) }, { 'x-next-token': '3' }));
      await assert.rejects(
        collect(listCustom(custom)),
        errorCode('provider_response_invalid', 'points to itself'),
      );
    });

    it('refuses an unknown name and options its schema refuses', () => {
      assert.throws(
        () => listCustom(custom, new Map()),
        errorCode('invalid_request', 'no paginator named "header-token"'),
      );
      assert.throws(
        () => listCustom(pagination({ type: 'custom', name: 'header-token', options: { header: 1 } })),
        errorCode('invalid_request', 'Invalid options for paginator "header-token"'),
      );
    });

    it('holds what it answers to the checks every style gets: its position kind, the API origin', async () => {
      reset((_req, _url, _body, res) => json(res, { data: ITEMS.slice(0, 2) }));
      const answering = (next: PageCursor) =>
        new Map([
          [
            'x',
            definePaginator({
              position: 'url',
              request: (_s, listing) => listing,
              next: () => next,
            }) as CustomPaginator<unknown>,
          ],
        ]);
      const x = pagination({ type: 'custom', name: 'x', resultsPath: 'data' });
      await assert.rejects(
        collect(listCustom(x, answering({ type: 'url', url: 'https://elsewhere.example/items?page=2' }))),
        errorCode('provider_response_invalid', "not on the API's origin"),
      );
      await assert.rejects(
        collect(listCustom(x, answering({ type: 'cursor', cursor: 'c' }))),
        errorCode('script_definition_invalid', "not a { type: 'url'"),
      );
    });
  });

  describe('pagination overrides', () => {
    const definition = pagination({
      type: 'cursor',
      cursorParam: 'cursor',
      cursorPath: 'response_metadata.next_cursor',
      resultsPath: 'channels',
    });

    it('merges a listing override into the definition', () => {
      const merged = resolvePagination(definition, { resultsPath: 'members' });
      assert.equal(merged.type, 'cursor');
      assert.equal(merged.resultsPath, 'members');
      assert.equal(merged.type === 'cursor' && merged.cursorPath, 'response_metadata.next_cursor');
    });

    it('replaces the style when the override names another type', () => {
      const replaced = resolvePagination(definition, { type: 'page', pageParam: 'page' });
      assert.deepEqual(replaced, { type: 'page', pageParam: 'page', startPage: 1 });
    });

    it('validates the merged result', () => {
      assert.throws(
        () => resolvePagination(definition, { limit: 10 }),
        errorCode('invalid_request', 'limit'),
      );
      assert.throws(
        () => resolvePagination(definition, { cursorIn: 'header' }),
        errorCode('invalid_request', 'cursorIn'),
      );
      assert.throws(
        () => resolvePagination(undefined, undefined),
        errorCode('invalid_request', 'no pagination'),
      );
      assert.throws(
        () => list(definition, { pagination: { resultsPath: 'a b' } }),
        errorCode('invalid_request', 'resultsPath'),
      );
    });
  });
});

describe('linkTarget', () => {
  it('finds the link with the relation, among several, quoted or not', () => {
    const header = '<https://a.example/p?page=1>; rel="prev", <https://a.example/p?page=3>; rel="next last"';
    assert.equal(linkTarget(header, 'next'), 'https://a.example/p?page=3');
    assert.equal(linkTarget(header, 'prev'), 'https://a.example/p?page=1');
    assert.equal(linkTarget('</p?x=1>; rel=next', 'next'), '/p?x=1');
    assert.equal(linkTarget('<https://a.example/p>; title="next"; rel="self"', 'next'), undefined);
    assert.equal(linkTarget(undefined, 'next'), undefined);
  });
});
