/**
 * `patchbay demo`: an engine on a fresh data dir, beside the provider emulators of `sandbox/`,
 * wired the way a host app would wire it — an integration per emulator, an end user connected
 * through the real connect flow, a webhook endpoint with a receiver that verifies signatures —
 * and then driven: the first syncs run, a sale is made at the emulator and its webhook ping
 * starts an incremental run. Everything listens on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GumroadSandbox, startGumroadSandbox } from '../../../sandbox/index.ts';
import { createPatchbay } from '../../engine/index.ts';
import { createLogger } from '../../logger/index.ts';
import { connectHeadless } from './headless-connect.ts';
import { startDemoReceiver } from './receiver.ts';

export interface DemoOptions {
  /** The engine's HTTP port (0 picks a free one). */
  port: number;
  /** Keep the data dir after stopping (it is a fresh temporary one either way). */
  keep: boolean;
  /** Progress lines for the person waiting. */
  say(line: string): void;
}

export interface RunningDemo {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly dataDir: string;
  readonly endUserId: string;
  readonly connectionId: string;
  readonly receiverUrl: string;
  readonly gumroadUrl: string;
  /** Records per model after the first syncs and the webhook-started run. */
  readonly records: Record<string, number>;
  readonly deliveries: () => number;
  stop(): Promise<void>;
}

const CLIENT = { clientId: 'demo-gumroad-app', clientSecret: 'demo-gumroad-secret' };
const END_USER = 'demo-seller';
// Gumroad pages sales 10 at a time and the proxy paces its calls at Gumroad's 120 a minute (two
// a second): 50 sales keep the first syncs to a few seconds while still showing paging.
const SALES = 50;
const RUN_TIMEOUT_MS = 30_000;

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-demo-'));
  const stops: Array<() => Promise<void>> = [
    async () => {
      if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
    },
  ];
  const stop = async () => {
    for (const close of stops.splice(0).reverse()) await close().catch(() => {});
  };
  try {
    const engine = await createPatchbay({
      config: { dataDir, port: options.port, allowPrivateNetworks: 'loopback' },
      // The demo's own lines are what the person reads; the engine only reports problems.
      logger: createLogger({ level: 'warn' }),
    });
    stops.push(() => engine.stop());
    const report = await engine.start();
    const apiUrl = report.url ?? '';
    const dev = await engine.services.environments.getEnvironmentByName('dev');
    const apiKey =
      report.firstApiKey ?? (await engine.services.environments.createKey(dev.id, { name: 'demo' })).secret;
    options.say(`engine ready at ${apiUrl}`);

    const gumroad = await startGumroadSandbox({
      sales: SALES,
      products: 5,
      rateLimit: false,
      clients: [{ ...CLIENT, redirectUris: [`${apiUrl}/connect/oauth/callback`] }],
    });
    stops.push(() => gumroad.close());
    const receiver = await startDemoReceiver(0);
    stops.push(() => receiver.close());
    options.say(`Gumroad emulator at ${gumroad.url}, webhook receiver at ${receiver.url}`);

    const call = apiCaller(apiUrl, apiKey);
    await call('POST', '/v1/integrations', 201, {
      provider: 'gumroad',
      ...CLIENT,
      settings: { baseUrls: { '*': gumroad.url } },
    });
    const endpoint = await call('POST', '/v1/endpoints', 201, {
      url: `${receiver.url}/webhooks/patchbay`,
      description: 'The demo receiver',
    });
    receiver.setSecret(String(endpoint.secret));
    const { connectionId } = await connectHeadless({
      engineUrl: apiUrl,
      apiKey,
      integration: 'gumroad',
      endUserId: END_USER,
    });
    options.say(`connected end user ${END_USER} to Gumroad (${connectionId}); first syncs running`);

    await waitForRuns(call, connectionId, (runs) => runs.filter((r) => r.trigger === 'schedule').length >= 2);
    await sellAndPing(call, gumroad, connectionId);
    options.say('a new sale at the emulator pinged Patchbay; its incremental sync ran');

    const records: Record<string, number> = {};
    for (const model of ['sales', 'products']) records[model] = await countRecords(call, connectionId, model);
    return {
      apiUrl,
      apiKey,
      dataDir,
      endUserId: END_USER,
      connectionId,
      receiverUrl: receiver.url,
      gumroadUrl: gumroad.url,
      records,
      deliveries: () => receiver.deliveries.length,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

type Call = (
  method: string,
  path: string,
  status: number,
  body?: unknown,
) => Promise<Record<string, unknown>>;

function apiCaller(apiUrl: string, apiKey: string): Call {
  return async (method, path, status, body) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status !== status) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
}

interface RunView {
  id: string;
  sync: string;
  trigger: string;
  status: string;
  error: { code: string; message: string } | null;
}

/** Waits until `done` holds for the connection's runs and each of them has ended; a failed run fails the demo. */
async function waitForRuns(
  call: Call,
  connectionId: string,
  done: (runs: RunView[]) => boolean,
): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const runs = (await call('GET', `/v1/sync-runs?connectionId=${connectionId}&limit=50`, 200))
      .data as RunView[];
    const failed = runs.find((run) => run.status === 'failed');
    if (failed)
      throw new Error(
        `sync run ${failed.id} (${failed.sync}) failed: ${failed.error?.message ?? 'no reason'}`,
      );
    if (done(runs) && runs.every((run) => run.status === 'succeeded' || run.status === 'cancelled')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the demo's sync runs did not finish within ${RUN_TIMEOUT_MS / 1000} s`);
}

/**
 * What Gumroad does after a sale: it pings the seller's resource subscription URL (here the
 * connection's webhook URL) with a form post; the ping starts an incremental sales run.
 */
async function sellAndPing(call: Call, gumroad: GumroadSandbox, connectionId: string): Promise<void> {
  const hook = await call('POST', `/v1/connections/${connectionId}/webhook-token`, 201);
  const [saleId] = gumroad.control.addSales(1);
  const ping = await fetch(String(hook.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      resource_name: 'sale',
      sale_id: saleId ?? '',
      seller_id: 'demo-seller',
    }).toString(),
  });
  await ping.arrayBuffer();
  if (ping.status !== 200) throw new Error(`the Gumroad ping was answered ${ping.status}`);
  await waitForRuns(call, connectionId, (runs) => runs.some((run) => run.trigger === 'webhook'));
}

async function countRecords(call: Call, connectionId: string, model: string): Promise<number> {
  let count = 0;
  let after: string | null = null;
  do {
    const query: string = `/v1/records?connectionId=${connectionId}&model=${model}&limit=200${after ? `&after=${after}` : ''}`;
    const page = await call('GET', query, 200);
    count += (page.data as unknown[]).length;
    after = (page.nextAfter as string | null) ?? null;
  } while (after);
  return count;
}
