/**
 * Webhook handlers (`webhooks/handlers/` of a provider folder), end to end on both databases: a
 * signed webhook posted to the intake moves the connection's record in the transaction that
 * marks the event processed, emits the handler's events and `records.changed`, and shows in the
 * records API like a synced record. A handler that throws leaves nothing behind and the event is
 * retried; a late or repeated webhook never moves a status backwards or emits twice; a handler
 * can revoke its connection. The provider is test/fixtures/webhook-handlers/ledger-hooks.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { faults } from '../fixtures/webhook-handlers/ledger-hooks/webhooks/handlers/_faults.ts';
import { type TestDatabase, testDatabases } from '../support/databases.ts';
import { type LibraryEngine, startLibraryEngine, waitFor } from '../support/library-engine.ts';

const PROVIDERS_DIR = join(import.meta.dirname, '..', 'fixtures', 'webhook-handlers');
const SECRET = 'ledger-hooks-signing-secret';
const ACCOUNT = 'acct_7';

interface EventBody {
  id: string;
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: event data is read loosely and asserted field by field
  data: Record<string, any>;
}

const targets = await testDatabases();

for (const target of targets) {
  describe(`webhook handlers on ${target.name}`, { skip: target.skip ?? false }, () => {
    let database: TestDatabase;
    let harness: LibraryEngine;
    let intake: string;
    let connectionId: string;

    before(async () => {
      database = await target.create!();
      harness = await startLibraryEngine({
        config: {
          providerDirs: PROVIDERS_DIR,
          apiRateLimit: 1_000_000,
          ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}),
        },
      });
      const integration = await harness.call('POST', '/v1/integrations', {
        provider: 'ledger-hooks',
        webhookSecret: SECRET,
      });
      assert.equal(integration.status, 201, integration.text);
      const environment = await harness.call('GET', '/v1/environment');
      // Library mode: a connection as the connect flow would have stored it.
      const connection = await harness.engine.services.providers.connections.save(environment.body.id, {
        integrationId: integration.body.id,
        endUser: { id: 'merchant-7', email: null, organization: null },
        credentials: { type: 'api_key', values: { apiKey: 'lh_live0123' } },
        connectionConfig: { accountId: ACCOUNT },
        metadata: {},
      });
      connectionId = connection.id;
      const url = await harness.call('GET', '/v1/integrations/ledger-hooks/webhook-url');
      intake = `${harness.baseUrl}${new URL(url.body.url).pathname}`;
    });

    after(async () => {
      await harness?.stop();
      await database?.destroy();
    });

    async function post(event: Record<string, unknown>): Promise<{ id?: string; duplicate?: boolean }> {
      const body = JSON.stringify({ account: ACCOUNT, ...event });
      const signature = createHmac('sha256', SECRET).update(body).digest('hex');
      const response = await fetch(intake, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
        body,
      });
      assert.equal(response.status, 200);
      return (await response.json()) as { id?: string; duplicate?: boolean };
    }

    function invoiceEvent(id: string, type: string, invoice: string, status: string) {
      return {
        id,
        type,
        data: { object: { id: invoice, status, total: 4200, metadata: { buyerId: 'b_1' } } },
      };
    }

    async function processed(inboundEventId: string) {
      return waitFor(`${inboundEventId} to be processed`, async () => {
        const answer = await harness.call('GET', `/v1/inbound-events/${inboundEventId}`);
        return answer.body.status === 'processed' ? answer.body : undefined;
      });
    }

    async function events(type: string): Promise<EventBody[]> {
      const answer = await harness.call('GET', `/v1/events?type=${type}&limit=200`);
      assert.equal(answer.status, 200, answer.text);
      return answer.body.data as EventBody[];
    }

    async function invoice(id: string) {
      const answer = await harness.call(
        'GET',
        `/v1/records?connectionId=${connectionId}&model=invoices&limit=100`,
      );
      assert.equal(answer.status, 200, answer.text);
      return (answer.body.data as Array<{ id: string; data: Record<string, unknown> }>).find(
        (r) => r.id === id,
      );
    }

    it('writes the record and its events with the processed event, visible in the records API', async () => {
      const { id } = await post(invoiceEvent('evt_1', 'invoice.finalized', 'in_1', 'open'));
      await processed(id!);
      assert.equal((await invoice('in_1'))?.data.status, 'open');
      const finalized = await events('invoice.finalized');
      assert.equal(finalized.length, 1);
      assert.deepEqual(
        { ...finalized[0]!.data },
        {
          invoiceId: 'in_1',
          number: null,
          amount: 4200,
          currency: 'usd',
          url: null,
          status: 'open',
          customerId: null,
          metadata: { buyerId: 'b_1' },
          connectionId,
          integrationId: finalized[0]!.data.integrationId,
          integrationKey: 'ledger-hooks',
          provider: 'ledger-hooks',
          endUserId: 'merchant-7',
        },
      );
      const changed = await events('records.changed');
      assert.deepEqual(
        changed.map((e) => [e.data.model, e.data.added, e.data.updated, e.data.sync, e.data.webhookHandler]),
        [['invoices', 1, 0, null, 'invoices']],
      );
      assert.equal(changed[0]!.data.inboundEventId, id);
      // The raw inbound event is emitted beside the handler's, as for every provider.
      assert.equal((await events('inbound.ledger-hooks.invoice.finalized')).length, 1);
    });

    it('paid, then a late finalized: the record stays paid and only invoice.paid is emitted', async () => {
      const paid = await post(invoiceEvent('evt_2', 'invoice.paid', 'in_2', 'paid'));
      await processed(paid.id!);
      const late = await post(invoiceEvent('evt_3', 'invoice.finalized', 'in_2', 'open'));
      await processed(late.id!);
      assert.equal((await invoice('in_2'))?.data.status, 'paid');
      assert.deepEqual(
        (await events('invoice.paid')).map((e) => e.data.invoiceId),
        ['in_2'],
      );
      assert.deepEqual(
        (await events('invoice.finalized')).map((e) => e.data.invoiceId),
        ['in_1'],
      );
    });

    it('a duplicate delivery is dropped at intake: no second event', async () => {
      const again = await post(invoiceEvent('evt_2', 'invoice.paid', 'in_2', 'paid'));
      assert.equal(again.duplicate, true);
      // The same fact under a new event id is processed, and changes nothing.
      const resent = await post(invoiceEvent('evt_2b', 'invoice.paid', 'in_2', 'paid'));
      await processed(resent.id!);
      assert.equal((await events('invoice.paid')).length, 1);
      const changed = await events('records.changed');
      assert.equal(changed.filter((e) => e.data.inboundEventId === resent.id).length, 0);
    });

    it('a handler that throws rolls its writes back; the event is retried and then lands', async () => {
      faults.failures = 1;
      faults.thrown = 0;
      const { id } = await post(invoiceEvent('evt_4', 'invoice.paid', 'in_4', 'paid'));
      await waitFor('the handler to throw', () => (faults.thrown === 1 ? true : undefined));
      const during = await harness.call('GET', `/v1/inbound-events/${id}`);
      assert.notEqual(during.body.status, 'processed');
      assert.equal(await invoice('in_4'), undefined, 'the write of the failed attempt is rolled back');
      assert.equal((await events('invoice.paid')).length, 1, 'nor did its event commit');
      await processed(id!);
      assert.equal((await invoice('in_4'))?.data.status, 'paid');
      assert.deepEqual(
        (await events('invoice.paid')).map((e) => e.data.invoiceId),
        ['in_2', 'in_4'],
      );
      assert.equal(faults.thrown, 1);
    });

    it('a handler revokes its connection: disconnected, connection.reauth_required once', async () => {
      const { id } = await post({ id: 'evt_5', type: 'account.deauthorized' });
      await processed(id!);
      const connection = await harness.call('GET', `/v1/connections/${connectionId}`);
      assert.equal(connection.body.status, 'disconnected');
      assert.deepEqual(connection.body.lastError, {
        code: 'access_revoked',
        message: 'The account removed the app',
      });
      const reauth = await events('connection.reauth_required');
      assert.equal(reauth.length, 1);
      assert.equal(reauth[0]!.data.connectionId, connectionId);
      // A disconnected connection receives no more events: the next one is unrouted.
      const later = await post({ id: 'evt_6', type: 'account.deauthorized' });
      const status = await waitFor('the event to be unrouted', async () => {
        const answer = await harness.call('GET', `/v1/inbound-events/${later.id}`);
        return answer.body.status === 'received' ? undefined : answer.body.status;
      });
      assert.equal(status, 'unrouted');
      assert.equal((await events('connection.reauth_required')).length, 1);
    });
  });
}
