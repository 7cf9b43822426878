/**
 * An engine in this process with a WooCommerce integration, a WooCommerce store emulator on
 * loopback (plain http, so the proxy signs with OAuth 1.0a as WooCommerce requires there), and
 * one end user connected on the connect page with the store URL and a consumer key and secret.
 * The new connection's syncs stay off until a test triggers them, so first runs count exactly.
 */
import assert from 'node:assert/strict';
import {
  startWooCommerceSandbox,
  type WooCommerceSandbox,
  type WooCommerceSandboxOptions,
} from '../../sandbox/index.ts';
import {
  type JsonAnswer,
  type LibraryEngine,
  type LibraryEngineOptions,
  startLibraryEngine,
  waitFor,
} from './library-engine.ts';

export interface WooWorld {
  engine: LibraryEngine;
  store: WooCommerceSandbox;
  connectionId: string;
  /** Triggers a sync and waits for its run to finish; answers the run. */
  sync(name: string): Promise<JsonAnswer['body']>;
  /** The connection's records of `model`, by their `data`. */
  records(model: string): Promise<Array<Record<string, unknown>>>;
  /** Runs an action synchronously; answers the API's reply. */
  action(name: string, input: unknown, idempotencyKey?: string): Promise<JsonAnswer>;
  /** Waits until the engine registered the connection's webhooks at the store. */
  registered(): Promise<void>;
  close(): Promise<void>;
}

export async function startWooWorld(
  options: { engine?: LibraryEngineOptions; store?: WooCommerceSandboxOptions } = {},
): Promise<WooWorld> {
  const engine = await startLibraryEngine({
    ...options.engine,
    config: { apiRateLimit: 1_000_000, webhookRetryJitter: 0, ...options.engine?.config },
  });
  let store: WooCommerceSandbox | undefined;
  try {
    store = await startWooCommerceSandbox(options.store);
    const integration = await engine.call('POST', '/v1/integrations', {
      provider: 'woocommerce',
      settings: { autoStartSyncs: [] },
    });
    assert.equal(integration.status, 201, integration.text);
    const session = await engine.call('POST', '/v1/connect/sessions', { endUser: { id: 'merchant-1' } });
    assert.equal(session.status, 201, session.text);
    const response = await fetch(`${engine.baseUrl}/connect/api/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        integration: 'woocommerce',
        connectionConfig: { storeUrl: store.url },
        values: { username: store.consumerKey, password: store.consumerSecret },
      }),
    });
    const connected = (await response.json()) as { connectionId: string };
    assert.equal(response.status, 200, JSON.stringify(connected));
    const { connectionId } = connected;
    const running = store;
    return {
      engine,
      store: running,
      connectionId,
      async sync(name) {
        const trigger = await engine.call(
          'POST',
          `/v1/connections/${connectionId}/syncs/${name}/trigger`,
          {},
        );
        assert.equal(trigger.status, 202, trigger.text);
        return waitFor(
          `the ${name} run to finish`,
          async () => {
            const run = (await engine.call('GET', `/v1/sync-runs/${trigger.body.runId}`)).body;
            return ['succeeded', 'failed'].includes(run.status) ? run : undefined;
          },
          60_000,
        );
      },
      async records(model) {
        const answer = await engine.call(
          'GET',
          `/v1/records?connectionId=${connectionId}&model=${model}&limit=200`,
        );
        assert.equal(answer.status, 200, answer.text);
        return (answer.body.data as Array<{ data: Record<string, unknown> }>).map((record) => record.data);
      },
      action: (name, input, idempotencyKey) =>
        engine.call('POST', `/v1/connections/${connectionId}/actions/${name}`, {
          input,
          ...(idempotencyKey ? { idempotencyKey } : {}),
        }),
      async registered() {
        await waitFor('the webhooks registered at the store', async () => {
          const answer = await engine.call('GET', `/v1/connections/${connectionId}/webhook-subscriptions`);
          return answer.body.status === 'registered' ? true : undefined;
        });
      },
      async close() {
        await engine.stop();
        await running.close();
      },
    };
  } catch (error) {
    await engine.stop();
    await store?.close();
    throw error;
  }
}
