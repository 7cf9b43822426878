// biome-ignore-all lint/suspicious/noExplicitAny: the test reads JSON answers loosely and asserts on their fields
/**
 * Webhook subscriptions managed by the engine, end to end against the Stripe emulator, on SQLite
 * and PostgreSQL: a connection by the user's own keys gets its own endpoint in its Stripe account
 * with the topics of Stripe's `webhooks/subscriptions.ts` (the `stripe-api-key` variant runs
 * Stripe's scripts), the `whsec_` secret Stripe returned is stored encrypted and verifies the
 * deliveries Stripe signs with it; deleting the connection removes the endpoint; an endpoint
 * deleted or disabled behind Patchbay's back is repaired by the check; a registration the
 * emulator fails is retried by the queue, shown as failed meanwhile, and then succeeds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from '../../sandbox/index.ts';
import { isPatchbayApiError, PatchbayClient } from '../../sdk/src/index.ts';
import { createLogger, createMemoryDestination } from '../../src/logger/index.ts';
import { REMOVAL_SETTLE_MS } from '../../src/webhook-subscriptions/index.ts';
import { testDatabases } from '../../test/support/databases.ts';
import {
  type LibraryEngine,
  ShiftedClock,
  startLibraryEngine,
  waitFor,
} from '../../test/support/library-engine.ts';
import subscriptions from './webhooks/subscriptions.ts';

const TOPICS = [...subscriptions.topics].sort();

for (const target of await testDatabases()) {
  describe(`Stripe webhook subscriptions on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    const clock = new ShiftedClock();
    const logs = createMemoryDestination();
    let database: Awaited<ReturnType<NonNullable<typeof target.create>>>;
    let sandbox: StripeSandbox;
    let stripe: Stripe;
    let harness: LibraryEngine;
    let environmentId: string;
    let integrationId: string;
    const call = (method: string, path: string, body?: unknown) => harness.call(method, path, body);

    before(async () => {
      database = await target.create!();
      sandbox = await startStripeSandbox({ rateLimit: false });
      stripe = new Stripe(sandbox.platform.secretKey, {
        host: '127.0.0.1',
        port: sandbox.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      harness = await startLibraryEngine({
        clock,
        logger: createLogger({ level: 'debug', destination: logs }),
        config: {
          ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}),
          webhookRetryJitter: 0,
        },
      });
      environmentId = (await call('GET', '/v1/environment')).body.id;
      const integration = await call('POST', '/v1/integrations', {
        provider: 'stripe-api-key',
        // Only the webhook endpoint is under test: its injected faults must not meet sync calls.
        settings: { baseUrls: { '*': sandbox.url }, autoStartSyncs: [] },
      });
      assert.equal(integration.status, 201, integration.text);
      integrationId = integration.body.id;
    });

    after(async () => {
      await harness?.stop();
      await sandbox?.close();
      await database?.destroy();
    });

    /** Connects through the connect page's key form, as an end user would. */
    async function connectByKeys(endUserId: string, connectionId?: string): Promise<string> {
      const session = await call('POST', '/v1/connect/sessions', {
        endUser: { id: endUserId },
        ...(connectionId ? { connectionId } : {}),
      });
      assert.equal(session.status, 201, session.text);
      const response = await fetch(`${harness.baseUrl}/connect/api/credentials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.body.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          integration: 'stripe-api-key',
          values: { secretKey: sandbox.platform.secretKey },
        }),
      });
      const body = (await response.json()) as { connectionId: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      return body.connectionId;
    }

    const view = async (connectionId: string) => {
      const answer = await call('GET', `/v1/connections/${connectionId}/webhook-subscriptions`);
      assert.equal(answer.status, 200, answer.text);
      return answer;
    };
    const untilStatus = (connectionId: string, status: string) =>
      waitFor(`webhook subscriptions ${status}`, async () => {
        const answer = await view(connectionId);
        return answer.body.status === status ? answer.body : undefined;
      });
    /** The secrets kept for a connection, decrypted (subscription id → secret). */
    const storedSecrets = async (connectionId: string): Promise<Record<string, string>> => {
      const row = await harness.engine.store.db
        .selectFrom('webhook_subscriptions')
        .select('secrets')
        .where('connection_id', '=', connectionId)
        .executeTakeFirstOrThrow();
      const context = {
        table: 'webhook_subscriptions',
        rowId: connectionId,
        purpose: 'webhook_subscription_secrets',
      };
      return row.secrets === null ? {} : JSON.parse(harness.engine.vault.decrypt(row.secrets, context));
    };
    const endpoints = async () => (await stripe.webhookEndpoints.list({ limit: 100 })).data;
    const service = () => harness.engine.services.webhookSubscriptions.service;
    const sdk = () => new PatchbayClient({ baseUrl: harness.baseUrl, apiKey: harness.apiKey });

    it('registers an own-key connection, keeps the secret encrypted, verifies with it, removes on delete', async () => {
      const connectionId = await connectByKeys('merchant-1');
      const registered = await untilStatus(connectionId, 'registered');
      assert.equal(registered.managed, true);
      assert.equal(registered.hasSecret, true);
      assert.deepEqual(registered.topics, TOPICS);
      assert.equal(registered.error, null);

      // The endpoint at the emulator: the connection's own URL, the script's topics.
      const [endpoint, ...others] = await endpoints();
      assert.equal(others.length, 0);
      assert.ok(endpoint);
      assert.deepEqual(registered.subscriptions, [{ id: endpoint.id, topics: TOPICS }]);
      assert.deepEqual([...endpoint.enabled_events].sort(), TOPICS);
      assert.equal(endpoint.status, 'enabled');
      assert.equal(endpoint.metadata.patchbay_connection_id, connectionId);
      const prefix = `${harness.baseUrl}/webhooks/${environmentId}/stripe-api-key/`;
      assert.ok(endpoint.url.startsWith(prefix), endpoint.url);
      const token = endpoint.url.slice(prefix.length);
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);

      // An event in the account reaches the connection, signed by the emulator with the endpoint's secret.
      const customer = await stripe.customers.create({ email: 'buyer@example.com' });
      const delivery = await waitFor('the customer.created delivery', () =>
        sandbox.control.webhookDeliveries.find(
          (d) =>
            d.endpoint.id === endpoint.id && d.event.type === 'customer.created' && d.status !== 'pending',
        ),
      );
      assert.equal(delivery.status, 'delivered', JSON.stringify(delivery.attempts));
      const secret = delivery.endpoint.secret;
      assert.match(secret, /^whsec_/);
      const inbound = await waitFor('the inbound event', async () => {
        const list = await call('GET', '/v1/inbound-events?integration=stripe-api-key&type=customer.created');
        return list.body.data.find((e: any) => e.providerEventId === delivery.event.id);
      });
      assert.deepEqual(inbound.connectionIds, [connectionId]);
      const shown = await call('GET', `/v1/inbound-events/${inbound.id}`);
      assert.equal(shown.body.payload.value.data.object.id, customer.id);

      // At rest: envelopes, neither the secret nor the token in plain text; the vault opens them.
      const row = await harness.engine.store.db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .executeTakeFirstOrThrow();
      const raw = JSON.stringify(row);
      assert.ok(!raw.includes(secret) && !raw.includes('whsec_'), 'the secret is not stored in plain text');
      assert.ok(!raw.includes(token), 'the URL token is not stored in plain text');
      const opened = harness.engine.vault.decrypt(row.secrets!, {
        table: 'webhook_subscriptions',
        rowId: connectionId,
        purpose: 'webhook_subscription_secrets',
      });
      assert.deepEqual(JSON.parse(opened), { [endpoint.id]: secret });
      // Never shown by the API, never logged.
      assert.ok(!(await view(connectionId)).text.includes(secret));
      assert.ok(!logs.text().includes(secret) && !logs.text().includes(token));

      // A secret pasted by hand (an endpoint made in the dashboard) still verifies, beside it.
      const pasted = 'whsec_pasted_by_hand_0123456789';
      const put = await call('PUT', `/v1/connections/${connectionId}/webhook-secret`, { secret: pasted });
      assert.equal(put.status, 200, put.text);
      const payload = JSON.stringify({
        id: 'evt_by_hand_1',
        object: 'event',
        type: 'invoice.paid',
        data: { object: {} },
      });
      const byHand = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: pasted }),
        },
        body: payload,
      });
      assert.equal(byHand.status, 200, await byHand.text());

      // A reconnect checks the account again: the endpoint is there and right, nothing changes.
      assert.equal(await connectByKeys('merchant-1', connectionId), connectionId);
      await waitFor('the reconnect check', async () => {
        const after = await view(connectionId);
        return after.body.checkedAt !== registered.checkedAt ? after.body : undefined;
      });
      assert.deepEqual(
        (await endpoints()).map((e) => e.id),
        [endpoint.id],
      );

      // Deleting the connection removes the endpoint at Stripe (a job, with the saved credentials).
      const deleted = await call('DELETE', `/v1/connections/${connectionId}`);
      assert.equal(deleted.status, 200, deleted.text);
      const removed = await untilStatus(connectionId, 'removed');
      assert.deepEqual(removed.subscriptions, []);
      assert.equal(removed.hasSecret, false);
      assert.ok(removed.removedAt);
      assert.deepEqual(await endpoints(), []);
      const gone = await harness.engine.store.db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .executeTakeFirstOrThrow();
      assert.deepEqual([gone.secrets, gone.url_token, gone.url_token_hash], [null, null, null]);
      // Its URL and secret no longer verify anything.
      const late = JSON.stringify({
        id: 'evt_late_1',
        object: 'event',
        type: 'invoice.paid',
        data: { object: {} },
      });
      const refused = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: late, secret }),
        },
        body: late,
      });
      assert.equal(refused.status, 401, await refused.text());
      // The saved credentials outlive the removal only for the settle window, then go.
      assert.notEqual(gone.removal, null);
      clock.offset += REMOVAL_SETTLE_MS + 60_000;
      try {
        await waitFor('the saved credentials to go', async () => {
          const row = await harness.engine.store.db
            .selectFrom('webhook_subscriptions')
            .select('removal')
            .where('connection_id', '=', connectionId)
            .executeTakeFirstOrThrow();
          return row.removal === null ? true : undefined;
        });
      } finally {
        clock.offset = 0;
      }
      const check = await call('POST', `/v1/connections/${connectionId}/webhook-subscriptions/check`);
      assert.equal(check.status, 409);
      assert.equal(check.body.error.code, 'conflict');
    });

    it('repairs drift: an endpoint deleted or disabled behind its back, on the scheduled check', async () => {
      const connectionId = await connectByKeys('merchant-2');
      const first = await untilStatus(connectionId, 'registered');
      const [endpoint] = await endpoints();
      assert.ok(endpoint);

      // Deleted at Stripe: the check (the job's work, run here directly) registers a new one.
      await stripe.webhookEndpoints.del(endpoint.id);
      await service().sync(environmentId, connectionId, { check: true });
      const repaired = await view(connectionId);
      assert.equal(repaired.body.status, 'registered');
      assert.deepEqual(await sdk().inbound.webhookSubscriptions(connectionId), repaired.body);
      const [replacement, ...more] = await endpoints();
      assert.equal(more.length, 0);
      assert.ok(replacement && replacement.id !== endpoint.id);
      assert.deepEqual(repaired.body.subscriptions, [{ id: replacement.id, topics: TOPICS }]);
      assert.equal(replacement.url, endpoint.url, 'the same URL: its token was kept');
      assert.notEqual(repaired.body.registeredAt, first.registeredAt);

      // Disabled, with other events: the check updates it in place (same endpoint, same secret).
      await stripe.webhookEndpoints.update(replacement.id, {
        disabled: true,
        enabled_events: ['charge.failed'],
      });
      // A stray at the connection's URL (a registration whose answer was lost) is removed.
      const stray = await stripe.webhookEndpoints.create({ url: replacement.url, enabled_events: ['*'] });
      const secretBefore = await storedSecrets(connectionId);
      // The scheduled job picks connections whose last check is older than its interval.
      clock.offset += 7 * 3_600_000;
      try {
        const due = await service().checkDue();
        assert.ok(due.queued >= 1, JSON.stringify(due));
        await waitFor('the checking sync', async () => {
          const [only, ...rest] = await endpoints();
          return only?.status === 'enabled' && rest.length === 0 ? only : undefined;
        });
      } finally {
        await waitFor('the queue to settle', async () =>
          (await harness.engine.services.queue.stats()).byName['webhook-subscriptions.sync']?.active
            ? undefined
            : true,
        );
        clock.offset = 0;
      }
      const [fixed] = await endpoints();
      assert.equal(fixed?.id, replacement.id);
      assert.deepEqual([...(fixed?.enabled_events ?? [])].sort(), TOPICS);
      assert.ok(!(await endpoints()).some((e) => e.id === stray.id));
      assert.deepEqual(await storedSecrets(connectionId), secretBefore, 'updated in place: the same secret');
      assert.deepEqual(Object.keys(secretBefore), [replacement.id]);

      await call('DELETE', `/v1/connections/${connectionId}`);
      await untilStatus(connectionId, 'removed');
      assert.deepEqual(await endpoints(), []);
    });

    it('retries a registration the provider fails, showing failed with its code, until it succeeds', async () => {
      // The next API request, the registration's POST, answers 503.
      sandbox.control.serverErrors(1, 503);
      const connection = await saveConnection('merchant-3');
      const failed = await untilStatus(connection.id, 'failed');
      assert.equal(failed.error.code, 'provider_error');
      assert.match(failed.error.message, /Stripe answered 503/);
      assert.equal(failed.failures, 1);
      assert.deepEqual(failed.subscriptions, []);
      assert.deepEqual(await endpoints(), []);
      // The worker records the failed attempt after the job has recorded the status.
      const retry = await waitFor('the job queued again', async () => {
        const [queued] = await harness.engine.services.queue.list({
          state: 'queued',
          name: 'webhook-subscriptions.sync',
        });
        return queued;
      });
      assert.equal(retry.attempts, 1);
      assert.ok(retry.runAt > clock.now(), 'queued again for later (backoff)');

      // Past the backoff, the queue runs it again and the emulator accepts it.
      clock.offset += 10 * 60_000;
      try {
        const registered = await untilStatus(connection.id, 'registered');
        assert.equal(registered.failures, 0);
        assert.equal(registered.error, null);
        assert.equal((await endpoints()).length, 1);
      } finally {
        clock.offset = 0;
      }
      await call('DELETE', `/v1/connections/${connection.id}`);
      await untilStatus(connection.id, 'removed');
      assert.deepEqual(await endpoints(), []);
    });

    const saveConnection = (endUserId: string, secretKey = sandbox.platform.secretKey) =>
      harness.engine.services.providers.connections.save(environmentId, {
        integrationId,
        endUser: { id: endUserId, email: null, organization: null },
        credentials: { type: 'api_key', values: { secretKey } },
        connectionConfig: {},
        metadata: {},
      });

    it('removes what a registration in flight at the deletion registers', async () => {
      // The registration's POST reaches Stripe and is held there while the connection is deleted.
      const pause = sandbox.control.pauseNext();
      const connection = await saveConnection('merchant-5');
      await pause.reached;
      const deleted = await call('DELETE', `/v1/connections/${connection.id}`);
      assert.equal(deleted.status, 200, deleted.text);
      assert.equal((await view(connection.id)).body.status, 'removed');
      const deletes = () => sandbox.stats.byPath['DELETE /v1/webhook_endpoints/:id'] ?? 0;
      const deletesBefore = deletes();
      pause.release();
      // Its answer comes back after the deletion: the endpoint it made is removed as well.
      await waitFor('the late endpoint to be removed', () => (deletes() > deletesBefore ? true : undefined));
      const final = await untilStatus(connection.id, 'removed');
      assert.deepEqual(final.subscriptions, []);
      assert.deepEqual(await endpoints(), []);
    });

    it('retries a removal that fails for now; gives up, forgetting the credentials, on a refusal', async () => {
      const connection = await saveConnection('merchant-6');
      await untilStatus(connection.id, 'registered');
      // Four 503s: the proxy's own retries of the DELETE are used up, the job fails and is retried.
      sandbox.control.serverErrors(4, 503);
      await call('DELETE', `/v1/connections/${connection.id}`);
      const failing = await waitFor('the failed removal', async () => {
        const shown = (await view(connection.id)).body;
        return shown.failures > 0 ? shown : undefined;
      });
      assert.equal(failing.status, 'removing');
      assert.equal(failing.error.code, 'provider_error');
      assert.equal((await endpoints()).length, 1);
      clock.offset += 10 * 60_000;
      try {
        await untilStatus(connection.id, 'removed');
      } finally {
        clock.offset = 0;
      }
      assert.deepEqual(await endpoints(), []);

      // A key Stripe no longer accepts (the account was disconnected): no retry, and the saved
      // credentials are dropped at once.
      const { accountId, accessToken } = sandbox.control.connectAccount({ email: 'own@example.com' });
      const revoked = await saveConnection('merchant-7', accessToken);
      await untilStatus(revoked.id, 'registered');
      sandbox.control.disconnectAccount(accountId);
      await call('DELETE', `/v1/connections/${revoked.id}`);
      const refused = await untilStatus(revoked.id, 'removal_failed');
      assert.equal(refused.error.code, 'provider_error');
      assert.match(refused.error.message, /Stripe answered 401/);
      assert.equal(refused.subscriptions.length, 1, 'what is left at Stripe is shown');
      const row = await harness.engine.store.db
        .selectFrom('webhook_subscriptions')
        .select('removal')
        .where('connection_id', '=', revoked.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.removal, null);
    });

    it('registers, on the scheduled check, a connection made before its provider had the script', async () => {
      const connection = await saveConnection('merchant-8');
      await untilStatus(connection.id, 'registered');
      // As if the connection predated webhooks/subscriptions.ts: no endpoint, no row.
      for (const endpoint of await endpoints()) await stripe.webhookEndpoints.del(endpoint.id);
      await harness.engine.store.db
        .deleteFrom('webhook_subscriptions')
        .where('connection_id', '=', connection.id)
        .execute();
      assert.equal((await view(connection.id)).body.status, 'pending');
      const due = await service().checkDue();
      assert.equal(due.queued, 1);
      const registered = await untilStatus(connection.id, 'registered');
      const [endpoint] = await endpoints();
      assert.deepEqual(registered.subscriptions, [{ id: endpoint?.id, topics: TOPICS }]);
      await call('DELETE', `/v1/connections/${connection.id}`);
      await untilStatus(connection.id, 'removed');
      assert.deepEqual(await endpoints(), []);
    });

    it('registers nothing for Connect connections: the platform endpoint serves them', async () => {
      const connect = await call('POST', '/v1/integrations', {
        provider: 'stripe',
        clientId: sandbox.platform.clientId,
        clientSecret: sandbox.platform.secretKey,
        // Only the webhook endpoint is under test: its injected faults must not meet sync calls.
        settings: { baseUrls: { '*': sandbox.url }, autoStartSyncs: [] },
      });
      assert.equal(connect.status, 201, connect.text);
      const { accountId } = sandbox.control.connectAccount({ email: 'seller@example.com' });
      const connection = await harness.engine.services.providers.connections.save(environmentId, {
        integrationId: connect.body.id,
        endUser: { id: 'merchant-4', email: null, organization: null },
        credentials: { type: 'oauth2', accessToken: 'unused' },
        connectionConfig: {},
        metadata: { stripeAccountId: accountId },
      });
      const shown = await view(connection.id);
      assert.equal(shown.body.managed, false);
      assert.equal(shown.body.status, 'not_managed');
      await assert.rejects(sdk().inbound.checkWebhookSubscriptions(connection.id), (error: unknown) =>
        isPatchbayApiError(error, 'conflict'),
      );
      assert.deepEqual(await endpoints(), []);
      const unknown = await call(
        'GET',
        '/v1/connections/conn_01jz8x7y6w5v4t3s2r1q0p9n8m/webhook-subscriptions',
      );
      assert.equal(unknown.status, 404);
    });
  });
}
