/**
 * Shopify sync benchmark (issue 19): the first `products` sync of a shop with 20,000 products,
 * connected through Shopify's OAuth, against the Shopify emulator enforcing the calculated query
 * cost (sandbox/shopify/cost.ts): a bucket of 2,000 points refilled at 1,000 points per second
 * (Shopify Plus's restore rate; a Standard store refills 100 and the same sync takes ten times as
 * long). A page of 40 products with their variants asks 922 points and costs 202: unpaced, the
 * sync would spend points several times faster than the bucket refills.
 *
 * The emulator runs in a process of its own (bench/fixtures/shopify-emulator.ts). An engine in
 * this process (library mode, SQLite) runs the real syncs through its queue, proxy (cost-based
 * pacing from the definition's `rateLimit.cost`), validation and records store.
 *
 * Ceiling: what the bucket allows at all. The points the sync spent (counted by the emulator)
 * minus the full bucket it started with, at the restore rate, give the shortest possible time;
 * products over that time is the ceiling. Goals: exact count, 0 THROTTLED answers, ≥ 90 % of the
 * ceiling. Peer, same run: what a team would hand-roll — the official @shopify/admin-api-client
 * paging the same query and sleeping whenever the reported `currentlyAvailable` is below the
 * query's requested cost, keeping the products in memory only.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { type ClientResponse, createAdminApiClient } from '@shopify/admin-api-client';
import { SHOPIFY_API_VERSION } from '../providers/shopify/definition.ts';
import { PRODUCTS_PAGE, PRODUCTS_QUERY } from '../providers/shopify/syncs/products.ts';
import { connectHeadless } from '../test/support/connect-flow.ts';
import { type JsonAnswer, type LibraryEngine, startLibraryEngine } from '../test/support/library-engine.ts';
import { round } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const PRODUCTS = Number(process.env.PATCHBAY_BENCH_SHOPIFY_PRODUCTS ?? 20_000);
const BUCKET = { maximumAvailable: 2000, restoreRate: 1000 };
const GOAL_RATIO = 0.9;
const EMULATOR = new URL('./fixtures/shopify-emulator.ts', import.meta.url).pathname;

interface Emulator {
  child: ChildProcess;
  url: string;
  shop: string;
  clientId: string;
  clientSecret: string;
}

interface EmulatorStats {
  graphqlRequests: number;
  throttled: number;
  pointsSpent: number;
}

/** Asks the emulator process something and waits for its answer of that type. */
async function ask<T>(child: ChildProcess, message: { type: string } & Record<string, unknown>): Promise<T> {
  const answer = new Promise<T>((resolve) => {
    const listen = (reply: { type: string }) => {
      if (reply.type !== (message.type === 'start' ? 'started' : message.type)) return;
      child.off('message', listen);
      resolve(reply as T);
    };
    child.on('message', listen);
  });
  child.send(message);
  return answer;
}

interface Measured {
  products: number;
  seconds: number;
  productsPerSecond: number;
  requests: number;
  throttled: number;
  /** Products per second the bucket allowed for the points this run spent. */
  ceiling: number;
}

/** The fastest a run spending `points` could go, starting on a full bucket. */
function ceilingOf(products: number, points: number): number {
  const seconds = Math.max(0, points - BUCKET.maximumAvailable) / BUCKET.restoreRate;
  return seconds === 0 ? Number.POSITIVE_INFINITY : products / seconds;
}

async function finishedRun(
  engine: LibraryEngine,
  connectionId: string,
  sync: string,
): Promise<JsonAnswer['body']> {
  for (const until = Date.now() + 900_000; Date.now() < until; ) {
    const answer = await engine.call(
      'GET',
      `/v1/sync-runs?connectionId=${connectionId}&sync=${sync}&limit=1`,
    );
    const run = answer.body.data?.[0];
    if (run && ['succeeded', 'failed'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for the ${sync} run`);
}

async function engineFirstSync(engine: LibraryEngine, emulator: Emulator): Promise<Measured> {
  const integration = await engine.call('POST', '/v1/integrations', {
    provider: 'shopify',
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    settings: { baseUrls: { 'https://${shop}': `${emulator.url}/shops/\${shop}` } },
  });
  assert.equal(integration.status, 201, integration.text);
  await ask(emulator.child, { type: 'stats', reset: true });
  const { connectionId } = await connectHeadless({
    engineUrl: engine.baseUrl,
    apiKey: engine.apiKey,
    integration: 'shopify',
    connectionConfig: { shop: emulator.shop },
  });
  const products = await finishedRun(engine, connectionId, 'products');
  if (products.status !== 'succeeded')
    throw new Error(`the products run failed: ${JSON.stringify(products.error)}`);
  for (const sync of ['customers', 'orders']) await finishedRun(engine, connectionId, sync);
  const seconds = (Date.parse(products.finishedAt) - Date.parse(products.startedAt)) / 1000;
  const stats = await ask<EmulatorStats>(emulator.child, { type: 'stats', reset: true });
  return {
    products: products.added,
    seconds,
    productsPerSecond: products.added / seconds,
    requests: stats.graphqlRequests,
    throttled: stats.throttled,
    ceiling: ceilingOf(products.added, stats.pointsSpent),
  };
}

interface PeerAnswer {
  products: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

async function sdkPeer(emulator: Emulator): Promise<Measured> {
  const { token } = await ask<{ token: string }>(emulator.child, { type: 'token' });
  const origin = `https://${emulator.shop}`;
  const client = createAdminApiClient({
    storeDomain: emulator.shop,
    apiVersion: SHOPIFY_API_VERSION,
    accessToken: token,
    // The shop is the emulator on loopback, under /shops/<shop>.
    customFetchApi: (url, init) => fetch(url.replace(origin, `${emulator.url}/shops/${emulator.shop}`), init),
  });
  const kept = new Map<string, unknown>();
  const started = performance.now();
  let after: string | null = null;
  for (;;) {
    const answer: ClientResponse<PeerAnswer> = await client.request<PeerAnswer>(PRODUCTS_QUERY, {
      variables: { first: PRODUCTS_PAGE, after, query: null },
    });
    const cost = answer.extensions?.cost as
      | { requestedQueryCost: number; throttleStatus: { currentlyAvailable: number; restoreRate: number } }
      | undefined;
    const wait = (points: number) =>
      cost
        ? new Promise((resolve) => setTimeout(resolve, (points / cost.throttleStatus.restoreRate) * 1000))
        : null;
    const throttled = answer.errors?.graphQLErrors?.some((error) => error.extensions?.code === 'THROTTLED');
    if (throttled && cost) {
      await wait(cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable);
      continue;
    }
    if (!answer.data) throw new Error(`the peer's query failed: ${answer.errors?.message}`);
    for (const product of answer.data.products.nodes) kept.set(product.id, product);
    after = answer.data.products.pageInfo.endCursor;
    if (!answer.data.products.pageInfo.hasNextPage) break;
    if (cost && cost.throttleStatus.currentlyAvailable < cost.requestedQueryCost) {
      await wait(cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const stats = await ask<EmulatorStats>(emulator.child, { type: 'stats', reset: true });
  return {
    products: kept.size,
    seconds,
    productsPerSecond: kept.size / seconds,
    requests: stats.graphqlRequests,
    throttled: stats.throttled,
    ceiling: ceilingOf(kept.size, stats.pointsSpent),
  };
}

const benchmark: Benchmark = {
  name: 'shopify-sync',
  description: `first Shopify products sync of ${PRODUCTS.toLocaleString('en-US')} products under a ${BUCKET.maximumAvailable}-point bucket refilled at ${BUCKET.restoreRate} points/s`,
  async run({ log }) {
    log(`seeding ${PRODUCTS} products, then connecting through Shopify OAuth`);
    const engine = await startLibraryEngine({ config: { apiRateLimit: 1_000_000 } });
    const child = fork(EMULATOR, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      const emulator: Emulator = {
        child,
        ...(await ask<Omit<Emulator, 'child'>>(child, { type: 'start', products: PRODUCTS, bucket: BUCKET })),
      };
      const ours = await engineFirstSync(engine, emulator);
      log(`engine: ${ours.products} products in ${round(ours.seconds, 2)} s`);
      // A new token is a new bucket at the emulator: the peer starts full, as the engine did.
      const peer = await sdkPeer(emulator);
      log(`SDK peer: ${peer.products} products in ${round(peer.seconds, 2)} s`);
      const ratio = ours.productsPerSecond / ours.ceiling;
      const met = ours.products === PRODUCTS && ours.throttled === 0 && ratio >= GOAL_RATIO;
      const row = (who: string, m: Measured) => ({
        who,
        products: m.products,
        seconds: round(m.seconds, 2),
        'products/s': round(m.productsPerSecond, 1),
        'bucket allows': round(m.ceiling, 1),
        'of ceiling': round(m.productsPerSecond / m.ceiling, 3),
        requests: m.requests,
        THROTTLED: m.throttled,
      });
      return {
        unit: 'products/s',
        value: round(ours.productsPerSecond, 1),
        ceiling: round(ours.ceiling, 1),
        goal: `exact count, 0 THROTTLED, ≥ ${GOAL_RATIO * 100} % of what a ${BUCKET.maximumAvailable}-point bucket refilled at ${BUCKET.restoreRate}/s allows`,
        met,
        details: {
          loadAverage1m: round(loadavg()[0] ?? 0, 2),
          bucket: BUCKET,
          engine: { ...ours, ratio: round(ratio, 3) },
          sdkPeer: { ...peer, ratio: round(peer.productsPerSecond / peer.ceiling, 3) },
        },
        table: [row('patchbay (products sync)', ours), row('admin-api-client, hand-paced', peer)],
      };
    } finally {
      child.send({ type: 'close' });
      await once(child, 'exit');
      await engine.stop();
    }
  },
};

export default benchmark;
