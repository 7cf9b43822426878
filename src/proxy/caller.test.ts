// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definitions are written with ${placeholders}
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ManualClock } from '../clock/index.ts';
import type { Sleep } from '../concurrency/sleep.ts';
import { isPatchbayError } from '../errors/index.ts';
import { createLogger } from '../logger/index.ts';
import { createOutboundHttp } from '../net/index.ts';
import { createProviderCaller, type ProviderCallerOptions, takeNodeBody } from './caller.ts';
import { definitionFor, startUpstream, targetFor, type Upstream } from './fixtures/upstream.ts';
import { createProviderRateLimits, type RateLimiterFactory } from './rate-limits.ts';
import type { RequestLogEntry } from './request-log.ts';

const http = createOutboundHttp({ allow: ['loopback'] });
const logger = createLogger({ level: 'silent' });
let upstream: Upstream;

before(async () => {
  upstream = await startUpstream();
});
afterEach(() => upstream.reset());
after(async () => {
  await upstream.close();
  await http.close();
});

/** A caller on a manual clock whose sleeps only move the clock: no real waiting. */
function setup(overrides: Partial<ProviderCallerOptions> = {}) {
  const clock = new ManualClock();
  const sleeps: number[] = [];
  const sleep: Sleep = async (ms) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  const rows: RequestLogEntry[] = [];
  const caller = createProviderCaller({
    http,
    clock,
    logger,
    requestLog: { record: (row) => rows.push(row) },
    defaultTimeoutMs: 5_000,
    sleep,
    random: () => 0.5,
    ...overrides,
  });
  return { caller, clock, sleeps, rows };
}

type Echo = { method: string; url: string; headers: Record<string, string>; body: string };

describe('auth injection', () => {
  it('adds the header the definition names and drops the caller’s authorization and hop-by-hop headers', async () => {
    const { caller } = setup();
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'GET',
      path: '/v1/items',
      headers: {
        Authorization: 'Bearer not-from-the-definition',
        'X-Api-Key': 'caller-override',
        Connection: 'x-secret-hop',
        'X-Secret-Hop': 'hop',
        'Proxy-Authorization': 'Basic abc',
        'X-Custom': 'kept',
      },
    });
    assert.equal(response.status, 200);
    assert.equal(response.attempts, 1);
    const echoed = await response.json<Echo>();
    assert.equal(echoed.url, '/api/v1/items');
    assert.equal(echoed.headers['x-api-key'], 'sk_test_secret_key_1');
    assert.equal(echoed.headers.authorization, undefined);
    assert.equal(echoed.headers['proxy-authorization'], undefined);
    assert.equal(echoed.headers['x-custom'], 'kept');
  });

  it('puts a key in the query when the definition says so, over any caller value', async () => {
    const { caller, rows } = setup();
    const definition = definitionFor(upstream.origin, {
      proxy: { baseUrl: `${upstream.origin}/api`, query: { api_key: '${apiKey}' } },
    });
    const response = await caller.call(targetFor(definition), {
      method: 'GET',
      path: '/v1/items',
      query: { api_key: 'caller-value', tag: ['a', 'b'] },
    });
    const echoed = await response.json<Echo>();
    const url = new URL(echoed.url, 'http://x');
    assert.deepEqual(url.searchParams.getAll('api_key'), ['sk_test_secret_key_1']);
    assert.deepEqual(url.searchParams.getAll('tag'), ['a', 'b']);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.path, '/api/v1/items');
    assert.equal(JSON.stringify(rows).includes('sk_test_secret_key_1'), false);
  });

  it('sends HTTP basic credentials from the definition', async () => {
    const { caller } = setup();
    const definition = definitionFor(upstream.origin, {
      auth: {
        mode: 'basic',
        username: { label: 'Key', secret: false },
        password: { label: 'Secret' },
        test: { path: '/me' },
      },
      proxy: {
        baseUrl: `${upstream.origin}/api`,
        basicAuth: { username: '${username}', password: '${password}' },
      },
    });
    const response = await caller.call(
      targetFor(definition, { type: 'basic', username: 'ck_user', password: 'cs_p@ss:word' }),
      { method: 'GET', path: '/orders', headers: { authorization: 'Basic ignored' } },
    );
    const echoed = await response.json<Echo>();
    assert.equal(
      echoed.headers.authorization,
      `Basic ${Buffer.from('ck_user:cs_p@ss:word').toString('base64')}`,
    );
  });

  it('leaves out an optional header whose value is absent, and renders config into the base URL', async () => {
    const { caller } = setup();
    const definition = definitionFor(upstream.origin, {
      connectionConfig: [{ key: 'region', label: 'Region', example: 'eu' }],
      auth: {
        mode: 'oauth2',
        authorizationUrl: `${upstream.origin}/authorize`,
        tokenUrl: `${upstream.origin}/token`,
        refresh: true,
        connectionMetadata: { tokenResponse: { accountId: { path: 'account_id', example: 'acct_1' } } },
      },
      proxy: {
        baseUrl: `${upstream.origin}/api/\${region}`,
        headers: {
          Authorization: 'Bearer ${accessToken}',
          'X-Account': { value: '${accountId}', optional: true },
        },
      },
    });
    const credentials = { type: 'oauth2' as const, accessToken: 'at_1' };
    const without = await caller.call(
      targetFor(definition, credentials, { connectionConfig: { region: 'eu' } }),
      {
        method: 'GET',
        path: '/me',
      },
    );
    const first = await without.json<Echo>();
    assert.equal(first.url, '/api/eu/me');
    assert.equal(first.headers.authorization, 'Bearer at_1');
    assert.equal(first.headers['x-account'], undefined);
    const withAccount = await caller.call(
      targetFor(definition, credentials, {
        connectionConfig: { region: 'eu' },
        metadata: { accountId: 'acct_42' },
      }),
      { method: 'GET', path: '/me' },
    );
    assert.equal((await withAccount.json<Echo>()).headers['x-account'], 'acct_42');
  });
});

describe('paths', () => {
  const refusedPath = (error: unknown) => isPatchbayError(error, 'proxy_path_invalid');

  it('refuses paths that leave the base', async () => {
    const { caller } = setup();
    const target = targetFor(definitionFor(upstream.origin));
    for (const path of [
      '/../secret',
      '/v1/../../secret',
      '/%2e%2e/secret',
      '/%2E%2E/%2e%2e/secret',
      '/x/../../..',
      '/%2e%2e%2fsecret',
      '\\..\\secret',
      'http://169.254.169.254/latest',
      `${upstream.origin.replace('127.0.0.1', 'localhost')}/api/x`,
      '//evil.example/x',
      'https://user:pw@127.0.0.1/api',
    ]) {
      await assert.rejects(caller.call(target, { method: 'GET', path }), refusedPath, path);
    }
    assert.equal(upstream.received.length, 0);
  });

  it('accepts dot segments that stay under the base, and absolute URLs on the base origin', async () => {
    const { caller } = setup();
    const target = targetFor(definitionFor(upstream.origin));
    const inside = await caller.call(target, { method: 'GET', path: '/v1/x/../items' });
    assert.equal((await inside.json<Echo>()).url, '/api/v1/items');
    const absolute = await caller.call(target, {
      method: 'GET',
      path: `${upstream.origin}/api/v1/items?page_info=abc`,
      query: { limit: '5' },
    });
    assert.equal((await absolute.json<Echo>()).url, '/api/v1/items?page_info=abc&limit=5');
  });
});

describe('retries', () => {
  it('honors Retry-After in seconds and returns the success', async () => {
    const { caller, sleeps, rows } = setup();
    let calls = 0;
    upstream.handle((_request, response) => {
      calls += 1;
      if (calls === 1) response.writeHead(429, { 'retry-after': '7' }).end('slow down');
      else response.end('ok');
    });
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'GET',
      path: '/x',
    });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok');
    assert.equal(response.attempts, 2);
    assert.deepEqual(sleeps, [7000]);
    assert.deepEqual(
      rows.map((row) => [row.attempt, row.status]),
      [
        [1, 429],
        [2, 200],
      ],
    );
  });

  it('honors Retry-After as an HTTP date', async () => {
    const { caller, sleeps, clock } = setup();
    let calls = 0;
    upstream.handle((_request, response) => {
      calls += 1;
      if (calls === 1)
        response.writeHead(503, { 'retry-after': new Date(clock.now() + 3000).toUTCString() }).end();
      else response.end('ok');
    });
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'GET',
      path: '/x',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(sleeps, [3000]);
  });

  it('gives a 429 back at once when Retry-After asks for longer than a minute', async () => {
    const { caller, sleeps } = setup();
    upstream.handle((_request, response) => response.writeHead(429, { 'retry-after': '3600' }).end('later'));
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'GET',
      path: '/x',
    });
    assert.equal(response.status, 429);
    assert.equal(response.attempts, 1);
    assert.equal(await response.text(), 'later');
    assert.deepEqual(sleeps, []);
  });

  it('backs off exponentially with jitter on 5xx, up to maxAttempts', async () => {
    const { caller, sleeps } = setup();
    upstream.handle((_request, response) => response.writeHead(502).end('bad gateway'));
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'GET',
      path: '/x',
    });
    assert.equal(response.status, 502);
    assert.equal(response.attempts, 3);
    assert.equal(upstream.received.length, 3);
    // base 100, random 0.5: attempt 1 → 100 (cap = base), attempt 2 → 100 + 0.5 · (200 − 100)
    assert.deepEqual(sleeps, [100, 150]);
  });

  it('waits the definition’s cooldown after a 429 without Retry-After', async () => {
    const { caller, sleeps } = setup();
    let calls = 0;
    upstream.handle((_request, response) => {
      calls += 1;
      response.writeHead(calls === 1 ? 429 : 200).end();
    });
    const definition = definitionFor(upstream.origin, { rateLimit: { cooldownSeconds: 30 } });
    const response = await caller.call(targetFor(definition), { method: 'GET', path: '/x' });
    assert.equal(response.status, 200);
    assert.deepEqual(sleeps, [30_000]);
  });

  it('does not retry a 5xx answer to a POST, but does retry its 429', async () => {
    const { caller } = setup();
    upstream.handle((_request, response) => response.writeHead(503).end());
    const failed = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'POST',
      path: '/x',
      body: { json: { a: 1 } },
    });
    assert.equal(failed.attempts, 1);
    upstream.reset();
    let calls = 0;
    upstream.handle((_request, response) => {
      calls += 1;
      response.writeHead(calls === 1 ? 429 : 201, { 'retry-after': '1' }).end();
    });
    const created = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'POST',
      path: '/x',
      body: { json: { a: 1 } },
    });
    assert.equal(created.status, 201);
    assert.equal(created.attempts, 2);
    assert.equal(upstream.received[1]!.body.toString(), '{"a":1}');
  });

  it('refuses a JSON body nested deeper than 64 levels with json_too_deep, sending nothing', async () => {
    const { caller } = setup();
    upstream.handle((_request, response) => response.writeHead(201).end());
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
    await assert.rejects(
      caller.call(targetFor(definitionFor(upstream.origin)), {
        method: 'POST',
        path: '/x',
        body: { json: { deep } },
      }),
      (error: unknown) => isPatchbayError(error, 'json_too_deep'),
    );
    assert.equal(upstream.received.length, 0);
  });

  it('retries a network error for GET but not for POST', async () => {
    const { caller, rows } = setup();
    let calls = 0;
    upstream.handle((request, response) => {
      calls += 1;
      if (calls === 1) request.socket.destroy();
      else response.end('ok');
    });
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'GET',
      path: '/x',
    });
    assert.equal(await response.text(), 'ok');
    assert.equal(response.attempts, 2);
    assert.equal(rows[0]!.errorCode, 'provider_unreachable');

    upstream.reset();
    upstream.handle((request) => request.socket.destroy());
    await assert.rejects(
      caller.call(targetFor(definitionFor(upstream.origin)), { method: 'POST', path: '/x', body: 'data' }),
      (error) => isPatchbayError(error, 'provider_unreachable'),
    );
    assert.equal(upstream.received.length, 1);
  });

  it('retries a POST on network errors when the request asks for attempts', async () => {
    const { caller } = setup();
    let calls = 0;
    upstream.handle((request, response) => {
      calls += 1;
      if (calls === 1) request.socket.destroy();
      else response.end('ok');
    });
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'POST',
      path: '/x',
      body: 'data',
      maxAttempts: 2,
    });
    assert.equal(response.attempts, 2);
  });

  it('times out an attempt as provider_timeout', async () => {
    const { caller, rows } = setup();
    upstream.handle(() => {}); // never answers
    await assert.rejects(
      caller.call(targetFor(definitionFor(upstream.origin)), {
        method: 'GET',
        path: '/slow',
        timeoutMs: 50,
        maxAttempts: 1,
      }),
      (error) => isPatchbayError(error, 'provider_timeout'),
    );
    assert.equal(rows[0]!.errorCode, 'provider_timeout');
  });

  it('stops at once when the caller aborts', async () => {
    const { caller, rows } = setup();
    const controller = new AbortController();
    // The provider has the request and is slow to answer when the caller gives up.
    upstream.handle(() => controller.abort(new Error('client went away')));
    await assert.rejects(
      caller.call(targetFor(definitionFor(upstream.origin)), {
        method: 'GET',
        path: '/slow',
        signal: controller.signal,
      }),
      /client went away/,
    );
    assert.equal(upstream.received.length, 1);
    assert.deepEqual(
      rows.map((row) => row.errorCode),
      ['cancelled'],
    );
  });

  it('refuses a provider on a private address unless allowed, without retrying', async () => {
    const strict = createOutboundHttp();
    try {
      const { caller, rows } = setup({ http: strict });
      await assert.rejects(
        caller.call(targetFor(definitionFor(upstream.origin)), { method: 'GET', path: '/x' }),
        (error) => isPatchbayError(error, 'ssrf_blocked'),
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.errorCode, 'ssrf_blocked');
      assert.equal(upstream.received.length, 0);
    } finally {
      await strict.close();
    }
  });
});

describe('bodies', () => {
  it('streams the response: the call returns before the provider finishes the body', async () => {
    const { caller } = setup();
    let finish: () => void = () => {};
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('first,');
      finish = () => response.end('last');
    });
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'GET',
      path: '/x',
    });
    const reader = response.body.getReader();
    const first = await reader.read();
    assert.equal(Buffer.from(first.value!).toString(), 'first,');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += Buffer.from(chunk.value).toString();
    }
    assert.equal(rest, 'last');
  });

  it('hands an in-process consumer the Node body once, and only while no web body was read', async () => {
    const { caller } = setup();
    const target = targetFor(definitionFor(upstream.origin));
    const taken = await caller.call(target, { method: 'GET', path: '/node' });
    const node = takeNodeBody(taken);
    assert.ok(node instanceof Readable);
    assert.equal(takeNodeBody(taken), null);
    assert.throws(
      () => taken.body,
      (error: unknown) => isPatchbayError(error, 'internal_error'),
    );
    const echoed = JSON.parse(Buffer.concat(await node.toArray()).toString()) as Echo;
    assert.match(echoed.url, /\/node$/);

    const read = await caller.call(target, { method: 'GET', path: '/web' });
    const web = read.body;
    assert.equal(takeNodeBody(read), null);
    assert.equal(read.body, web);
    assert.match((JSON.parse(await new Response(web).text()) as Echo).url, /\/web$/);
  });

  it('sends a streamed request body', async () => {
    const { caller } = setup();
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'PUT',
      path: '/upload',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.from([Buffer.from('part one, '), Buffer.from('part two')]),
    });
    const echoed = await response.json<Echo>();
    assert.equal(echoed.body, 'part one, part two');
    assert.equal(echoed.headers['content-type'], 'application/octet-stream');
  });

  it('serializes a JSON body', async () => {
    const { caller } = setup();
    const response = await caller.call(targetFor(definitionFor(upstream.origin)), {
      method: 'POST',
      path: '/items',
      body: { json: { name: 'x' } },
    });
    const echoed = await response.json<Echo>();
    assert.equal(echoed.body, '{"name":"x"}');
    assert.equal(echoed.headers['content-type'], 'application/json');
  });
});

describe('rate limits', () => {
  // Windows as the provider sees them: 1 s less 150 ms of tolerance for scheduling jitter between
  // our send and the server's receipt in this one process, which shares the machine with other
  // suites (the limiter itself keeps a 2 % margin for that). Without the limiter all calls would
  // fit in one window.
  const WINDOW_SEEN = 850;

  it('never lets more than the limit reach the provider in any window, and completes every call', async () => {
    // 5 requests per 1 s; 12 calls at once. The limiter keeps wall-clock time, so this test
    // takes about 2.3 s; its assertions are on what the server saw, not on durations.
    const rateLimits = createProviderRateLimits({ clock: new ManualClock(), logger });
    const { caller } = setup({ rateLimits });
    const definition = definitionFor(upstream.origin, { rateLimit: { requests: 5, windowSeconds: 1 } });
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => caller.call(targetFor(definition), { method: 'GET', path: '/x' })),
    );
    for (const response of responses) {
      assert.equal(response.status, 200);
      await response.body.cancel();
    }
    const times = upstream.received.map((request) => request.at).sort((a, b) => a - b);
    assert.equal(times.length, 12);
    for (let i = 0; i < times.length; i += 1) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + WINDOW_SEEN).length;
      assert.ok(inWindow <= 5, `${inWindow} requests within ${WINDOW_SEEN} ms from request ${i}`);
    }
  });

  it('stays within the limit across a window boundary, where fixed windows would allow twice it', async () => {
    const rateLimits = createProviderRateLimits({ clock: new ManualClock(), logger });
    const { caller } = setup({ rateLimits });
    const definition = definitionFor(upstream.origin, { rateLimit: { requests: 5, windowSeconds: 1 } });
    const call = async () => {
      const response = await caller.call(targetFor(definition), { method: 'GET', path: '/x' });
      await response.body.cancel();
    };
    // One call opens a window; a burst comes late in it. A fixed window would let 4 through at
    // once and 5 more as the next window opens: 9 within a few milliseconds.
    await call();
    await new Promise((resolve) => setTimeout(resolve, 800));
    await Promise.all(Array.from({ length: 9 }, call));
    const times = upstream.received.map((request) => request.at).sort((a, b) => a - b);
    assert.equal(times.length, 10);
    for (const start of times) {
      assert.ok(times.filter((t) => t >= start && t < start + WINDOW_SEEN).length <= 5);
    }
  });

  it('shares one budget across callers that share a limiter store (as scaled-out processes do)', async () => {
    // Two callers with their own rate-limit state (as two processes have), whose factory returns
    // limiters over one store: the role RateLimiterPostgres or RateLimiterRedis plays across processes.
    const shared = new Map<string, RateLimiterMemory>();
    const createLimiter: RateLimiterFactory = (spec) => {
      let limiter = shared.get(spec.keyPrefix);
      if (!limiter) {
        limiter = new RateLimiterMemory(spec);
        shared.set(spec.keyPrefix, limiter);
      }
      return limiter;
    };
    const processes = [1, 2].map(
      () =>
        setup({ rateLimits: createProviderRateLimits({ clock: new ManualClock(), logger, createLimiter }) })
          .caller,
    );
    const definition = definitionFor(upstream.origin, { rateLimit: { requests: 5, windowSeconds: 1 } });
    await Promise.all(
      processes.flatMap((caller) =>
        Array.from({ length: 6 }, async () => {
          const response = await caller.call(targetFor(definition), { method: 'GET', path: '/x' });
          await response.body.cancel();
        }),
      ),
    );
    const times = upstream.received.map((request) => request.at).sort((a, b) => a - b);
    assert.equal(times.length, 12);
    for (const start of times) {
      assert.ok(times.filter((t) => t >= start && t < start + WINDOW_SEEN).length <= 5);
    }
  });

  it('keeps separate budgets per connection, one per integration when scoped so', async () => {
    const rateLimits = createProviderRateLimits({ clock: new ManualClock(), logger });
    const { caller } = setup({ rateLimits });
    const definition = definitionFor(upstream.origin, { rateLimit: { requests: 1, windowSeconds: 60 } });
    // Two connections: each gets its first request at once.
    const a = await caller.call(targetFor(definition), { method: 'GET', path: '/x' });
    const b = await caller.call(
      targetFor(definition, undefined, { connectionId: 'conn_01jd0000000000000000000001' }),
      {
        method: 'GET',
        path: '/x',
      },
    );
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    await a.body.cancel();
    await b.body.cancel();
  });

  it('holds further calls when the remaining header reaches 0, until the reset', async () => {
    const { caller, sleeps } = setup();
    let calls = 0;
    upstream.handle((_request, response) => {
      calls += 1;
      response
        .writeHead(200, { 'x-ratelimit-remaining': calls === 1 ? '0' : '9', 'x-ratelimit-reset': '4' })
        .end();
    });
    const definition = definitionFor(upstream.origin, {
      rateLimit: {
        headers: { remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', resetUnit: 'seconds' },
      },
    });
    await (await caller.call(targetFor(definition), { method: 'GET', path: '/x' })).body.cancel();
    assert.deepEqual(sleeps, []);
    await (await caller.call(targetFor(definition), { method: 'GET', path: '/x' })).body.cancel();
    assert.deepEqual(sleeps, [4000]);
    await (await caller.call(targetFor(definition), { method: 'GET', path: '/x' })).body.cancel();
    assert.deepEqual(sleeps, [4000]);
  });

  it('keeps to the concurrency limit until bodies are read', async () => {
    const { caller } = setup();
    upstream.handle((_request, response) => {
      setTimeout(() => response.end('done'), 10);
    });
    const definition = definitionFor(upstream.origin, { rateLimit: { concurrency: 2 } });
    const texts = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const response = await caller.call(targetFor(definition), { method: 'GET', path: '/x' });
        return response.text();
      }),
    );
    assert.deepEqual(texts, Array(6).fill('done'));
    assert.equal(upstream.inFlight.max, 2);
  });
});
