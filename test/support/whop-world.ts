/**
 * An engine in this process with a Whop integration pointed at the Whop emulator, and one end
 * user connected with the company's API key and company id, as on the connect page — or, with
 * `auth: 'oauth'`, through Whop's OAuth (the `whop-oauth` variant, PKCE, the company id as
 * connection config) by the headless connect the demo uses. The engine
 * registers the connection's webhook at the emulator (providers/whop/webhooks/subscriptions.ts)
 * as it would at Whop. What the Whop tests start from.
 */
import assert from 'node:assert/strict';
import { startWhopSandbox, type WhopSandbox, type WhopSandboxOptions } from '../../sandbox/index.ts';
import { connectHeadless } from './connect-flow.ts';
import {
  type JsonAnswer,
  type LibraryEngine,
  type LibraryEngineOptions,
  startLibraryEngine,
  waitFor,
} from './library-engine.ts';

export interface WhopWorld {
  engine: LibraryEngine;
  whop: WhopSandbox;
  connectionId: string;
  endUserId: string;
  /** Triggers `sync` and waits for its run to finish; answers the run. */
  sync(sync: string): Promise<Record<string, unknown>>;
  /** The connection's records of `model`, by their `data`. */
  records(model: string): Promise<Array<Record<string, unknown>>>;
  /** Runs an action synchronously and answers the API's reply. */
  act(action: string, input: unknown): Promise<JsonAnswer>;
  /** Waits until the engine registered the connection's webhook at the emulator. */
  registered(): Promise<void>;
  close(): Promise<void>;
}

export async function startWhopWorld(
  options: {
    engine?: LibraryEngineOptions;
    sandbox?: WhopSandboxOptions;
    endUserId?: string;
    /** `key` (default): a company API key; `oauth`: the whop-oauth variant. */
    auth?: 'key' | 'oauth';
  } = {},
): Promise<WhopWorld> {
  const engine = await startLibraryEngine({
    ...options.engine,
    config: { apiRateLimit: 1_000_000, webhookRetryJitter: 0, ...options.engine?.config },
  });
  let whop: WhopSandbox | undefined;
  try {
    whop = await startWhopSandbox({ rateLimit: false, ...options.sandbox });
    const endUserId = options.endUserId ?? 'host-user-17';
    const baseUrls = { 'https://api.whop.com': whop.origin };
    let connectionId: string;
    if (options.auth === 'oauth') {
      const client = {
        clientId: 'app_patchbay',
        clientSecret: 'whop-client-secret',
        redirectUris: [`${engine.baseUrl}/connect/oauth/callback`],
      };
      whop.oauth.control.addClient(client);
      const integration = await engine.call('POST', '/v1/integrations', {
        provider: 'whop-oauth',
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        settings: { baseUrls, autoStartSyncs: [] },
      });
      assert.equal(integration.status, 201, integration.text);
      ({ connectionId } = await connectHeadless({
        engineUrl: engine.baseUrl,
        apiKey: engine.apiKey,
        integration: 'whop-oauth',
        endUserId,
        connectionConfig: { companyId: whop.companyId },
      }));
    } else {
      const integration = await engine.call('POST', '/v1/integrations', {
        provider: 'whop',
        settings: { baseUrls, autoStartSyncs: [] },
      });
      assert.equal(integration.status, 201, integration.text);
      const session = await engine.call('POST', '/v1/connect/sessions', { endUser: { id: endUserId } });
      assert.equal(session.status, 201, session.text);
      const response = await fetch(`${engine.baseUrl}/connect/api/credentials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.body.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          integration: 'whop',
          connectionConfig: { companyId: whop.companyId },
          values: { apiKey: whop.apiKey },
        }),
      });
      const connected = (await response.json()) as { connectionId: string };
      assert.equal(response.status, 200, JSON.stringify(connected));
      ({ connectionId } = connected);
    }
    const running = whop;
    return {
      engine,
      whop: running,
      connectionId,
      endUserId,
      async sync(sync) {
        const trigger = await engine.call(
          'POST',
          `/v1/connections/${connectionId}/syncs/${sync}/trigger`,
          {},
        );
        assert.equal(trigger.status, 202, trigger.text);
        return waitFor(`the ${sync} run to finish`, async () => {
          const run = (await engine.call('GET', `/v1/sync-runs/${trigger.body.runId}`)).body;
          return run && ['succeeded', 'failed'].includes(run.status) ? run : undefined;
        });
      },
      async records(model) {
        const answer = await engine.call(
          'GET',
          `/v1/records?connectionId=${connectionId}&model=${model}&limit=200`,
        );
        assert.equal(answer.status, 200, answer.text);
        return (answer.body.data as Array<{ data: Record<string, unknown> }>).map((record) => record.data);
      },
      act: (action, input) =>
        engine.call('POST', `/v1/connections/${connectionId}/actions/${action}`, { input }),
      async registered() {
        await waitFor('the webhook registered at Whop', async () => {
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
    await whop?.close();
    throw error;
  }
}
