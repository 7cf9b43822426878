import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { CostBucket } from '../catalog/index.ts';
import { ManualClock } from '../clock/index.ts';
import type { Sleep } from '../concurrency/sleep.ts';
import { createLogger } from '../logger/index.ts';
import { createOutboundHttp } from '../net/index.ts';
import { createProviderCaller } from './caller.ts';
import { createCostBuckets, isThrottled } from './cost-bucket.ts';
import { definitionFor, startUpstream, targetFor, type Upstream } from './fixtures/upstream.ts';

const bucket: CostBucket = {
  maximum: 1000,
  restoreRate: 50,
  paths: {
    maximum: 'extensions.cost.throttleStatus.maximumAvailable',
    available: 'extensions.cost.throttleStatus.currentlyAvailable',
    restoreRate: 'extensions.cost.throttleStatus.restoreRate',
    requested: 'extensions.cost.requestedQueryCost',
    errors: 'errors',
    errorCode: 'extensions.code',
  },
  throttledCodes: ['THROTTLED'],
  estimateBy: 'query',
};

function answer(requested: number, available: number, errors?: unknown[]) {
  return {
    ...(errors ? { errors } : { data: {} }),
    extensions: {
      cost: {
        requestedQueryCost: requested,
        throttleStatus: { maximumAvailable: 1000, currentlyAvailable: available, restoreRate: 50 },
      },
    },
  };
}

function manual() {
  const clock = new ManualClock();
  const sleeps: number[] = [];
  const sleep: Sleep = async (ms) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  return { clock, sleeps, sleep };
}

describe('cost buckets', () => {
  it('lets a first query start on a full bucket and expects its reported cost next time', async () => {
    const { clock, sleeps, sleep } = manual();
    const buckets = createCostBuckets({ clock, sleep });
    const first = await buckets.acquire('k', bucket, { query: 'q1' });
    assert.equal(first.cost, 1000);
    buckets.settle(first, bucket, answer(400, 700));
    const second = await buckets.acquire('k', bucket, { query: 'q1' });
    assert.equal(second.cost, 400);
    assert.deepEqual(sleeps, []);
    buckets.settle(second, bucket, answer(400, 300));
    // 300 available, 400 needed: 100 points at 50 per second.
    const third = await buckets.acquire('k', bucket, { query: 'q1' });
    assert.equal(third.cost, 400);
    assert.deepEqual(sleeps, [2000]);
  });

  it('keeps the points of calls in flight out of what the next call may spend', async () => {
    const { clock, sleeps, sleep } = manual();
    const buckets = createCostBuckets({ clock, sleep });
    const learn = await buckets.acquire('k', bucket, { query: 'q' });
    buckets.settle(learn, bucket, answer(300, 700));
    const a = await buckets.acquire('k', bucket, { query: 'q' });
    const b = await buckets.acquire('k', bucket, { query: 'q' });
    assert.deepEqual(sleeps, []);
    // 600 of 700 reserved: the third waits until 200 more points have come back.
    const c = await buckets.acquire('k', bucket, { query: 'q' });
    assert.deepEqual(sleeps, [4000]);
    buckets.release(a);
    buckets.release(b);
    const d = await buckets.acquire('k', bucket, { query: 'q' });
    assert.deepEqual(sleeps, [4000]);
    for (const ticket of [c, d]) buckets.release(ticket);
  });

  it('keys estimates by query and keeps keys apart', async () => {
    const { clock, sleep } = manual();
    const buckets = createCostBuckets({ clock, sleep });
    const cheap = await buckets.acquire('k', bucket, { query: 'cheap' });
    buckets.settle(cheap, bucket, answer(10, 990));
    assert.equal((await buckets.acquire('k', bucket, { query: 'cheap' })).cost, 10);
    assert.equal((await buckets.acquire('other', bucket, { query: 'cheap' })).cost, 1000);
  });

  it('wakes a waiting call when a call in flight settles with more points', async () => {
    const clock = new ManualClock();
    // A sleep that only ends when aborted: the call can only go on by being woken.
    const sleep: Sleep = (_ms, signal) =>
      new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    const buckets = createCostBuckets({ clock, sleep });
    const first = await buckets.acquire('k', bucket, { query: 'unknown' });
    // Its cost is not known yet: it expects the whole bucket, which the first one holds.
    const second = buckets.acquire('k', bucket, { query: 'unknown' });
    buckets.settle(first, bucket, answer(100, 900));
    assert.equal((await second).cost, 100);
  });

  it('recognizes the throttled code among the errors', () => {
    assert.equal(
      isThrottled(bucket, answer(10, 0, [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }])),
      true,
    );
    assert.equal(
      isThrottled(bucket, answer(10, 0, [{ message: 'x', extensions: { code: 'OTHER' } }])),
      false,
    );
    assert.equal(isThrottled(bucket, { data: {} }), false);
  });
});

describe('the caller under a cost bucket', () => {
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

  it('paces by the reported cost and sends a THROTTLED query again once the bucket holds it', async () => {
    const { clock, sleeps, sleep } = manual();
    const caller = createProviderCaller({
      http,
      clock,
      logger,
      requestLog: { record: () => {} },
      defaultTimeoutMs: 5_000,
      sleep,
      random: () => 0.5,
    });
    // The upstream answers: learn the cost (600 left), then THROTTLED at 100 left, then data.
    const answers = [
      answer(400, 600),
      answer(400, 100, [{ extensions: { code: 'THROTTLED' } }]),
      answer(400, 0),
    ];
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answers.shift()));
    });
    const target = targetFor(definitionFor(upstream.origin, { rateLimit: { cost: bucket } }));
    const request = { method: 'POST', path: '/graphql', body: { json: { query: 'q' } }, maxAttempts: 3 };
    const first = await caller.call(target, request);
    assert.equal(first.status, 200);
    await first.json();
    const second = await caller.call(target, request);
    assert.equal(second.attempts, 2);
    const body = await second.json<{ errors?: unknown }>();
    assert.equal(body.errors, undefined);
    // No wait before the second query (600 ≥ 400); after THROTTLED at 100, 300 points at 50/s.
    assert.deepEqual(sleeps, [6000]);
    assert.equal(upstream.received.length, 3);
  });
});
