import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { createEnvironmentsService } from '../environments/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import type { Store } from '../store/index.ts';
import { renderEventsDoc } from './catalog-doc.ts';
import {
  appendEvent,
  checkEvent,
  EVENT_CATALOG,
  EVENT_TYPE_DEFINITIONS,
  EVENT_TYPE_PATTERN,
  eventDataJsonSchema,
  eventTypeDefinition,
  isReservedEventType,
  listEvents,
  type NewEvent,
  RESERVED_PREFIXES,
} from './index.ts';

describe('event catalog', () => {
  it('declares every type the issues name, each with a description, a valid example and a JSON Schema', () => {
    assert.deepEqual(Object.keys(EVENT_CATALOG).sort(), [
      'action.failed',
      'action.succeeded',
      'checkout.completed',
      'commerce.customer_data_requested',
      'connection.created',
      'connection.deleted',
      'connection.paused',
      'connection.reauth_required',
      'connection.reconnected',
      'connection.resumed',
      'email.bounced',
      'email.complained',
      'email.delivered',
      'end_user.deleted',
      'end_user.plan_changed',
      'endpoint.disabled',
      'endpoint.enabled',
      'endpoint.failing',
      'invoice.created',
      'invoice.finalized',
      'invoice.paid',
      'invoice.payment_failed',
      'invoice.sent',
      'invoice.uncollectible',
      'invoice.voided',
      'message.delivered',
      'message.fallback_required',
      'message.read',
      'message.received',
      'message.sent',
      'notification.failed',
      'payment.refunded',
      'plan.updated',
      'records.changed',
      'rollup.invoiced',
      'store_order.created',
      'store_order.updated',
      'subscription.changed',
      'sync.failed',
      'sync.succeeded',
    ]);
    for (const definition of EVENT_TYPE_DEFINITIONS) {
      assert.ok(definition.description.length > 10, definition.type);
      assert.ok(definition.data.safeParse(definition.example).success, `${definition.type} example`);
      const schema = eventDataJsonSchema(definition);
      assert.equal(schema.type, 'object', definition.type);
      assert.ok(Array.isArray(schema.required) && schema.required.length > 0, definition.type);
      assert.equal(schema.$schema, undefined);
      if (!definition.pattern) assert.match(definition.type, EVENT_TYPE_PATTERN);
    }
  });

  it('docs/events.md is the rendering of the catalog (regenerate with node src/events/catalog-doc.ts)', () => {
    const doc = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    assert.equal(doc, renderEventsDoc());
    for (const definition of EVENT_TYPE_DEFINITIONS) assert.ok(doc.includes(`\`${definition.type}\``));
  });

  it('finds exact types and the inbound family, and nothing else', () => {
    assert.equal(eventTypeDefinition('connection.created')?.type, 'connection.created');
    assert.equal(eventTypeDefinition('inbound.stripe.invoice.paid')?.type, 'inbound.<provider>.<type>');
    assert.equal(eventTypeDefinition('inbound.shopify.orders_create')?.type, 'inbound.<provider>.<type>');
    assert.equal(eventTypeDefinition('inbound.google-sheets.row_added')?.type, 'inbound.<provider>.<type>');
    for (const type of [
      'inbound.stripe',
      'inbound..x',
      'connection.created.x',
      'order.shipped',
      'toString',
      '__proto__',
    ]) {
      assert.equal(eventTypeDefinition(type), undefined, type);
    }
  });

  it('reserves the catalog prefixes for the engine', () => {
    assert.deepEqual([...RESERVED_PREFIXES].sort(), [
      'action',
      'checkout',
      'commerce',
      'connection',
      'email',
      'end_user',
      'endpoint',
      'inbound',
      'invoice',
      'message',
      'notification',
      'payment',
      'plan',
      'records',
      'rollup',
      'store_order',
      'subscription',
      'sync',
    ]);
    assert.ok(isReservedEventType('connection.anything'));
    assert.ok(!isReservedEventType('order.shipped'));
    assert.ok(!isReservedEventType('connections.x'));
  });

  it('checkEvent throws event_data_invalid for unknown types and data off the schema', () => {
    const data = EVENT_CATALOG['connection.reauth_required'].example;
    checkEvent('connection.reauth_required', data);
    const invalid = (error: unknown) => isPatchbayError(error, 'event_data_invalid');
    assert.throws(
      () => checkEvent('connection.reauth_required', { ...data, reason: 'nope' }),
      (error: unknown) => {
        assert.ok(invalid(error));
        assert.match((error as Error).message, /reason/);
        return true;
      },
    );
    assert.throws(() => checkEvent('connection.created', { connectionId: 'c' }), invalid);
    assert.throws(() => checkEvent('order.shipped', {}), invalid);
    assert.throws(
      () => checkEvent('sync.succeeded', { ...EVENT_CATALOG['sync.succeeded'].example, added: -1 }),
      invalid,
    );
  });
});

for (const target of await testDatabases()) {
  describe(`appendEvent validation on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let environmentId: string;
    const clock = new ManualClock();
    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
      const environments = createEnvironmentsService({ store, clock });
      await environments.ensureBootstrap();
      environmentId = (await environments.getEnvironmentByName('dev')).id;
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    it('stores a valid event of every catalog type and refuses an invalid one, rolling back the change', async () => {
      await store.db.transaction().execute(async (trx) => {
        for (const definition of EVENT_TYPE_DEFINITIONS) {
          const type = definition.pattern ? 'inbound.stripe.invoice.paid' : definition.type;
          await appendEvent(trx, { environmentId, type, data: definition.example } as NewEvent, {
            clock,
            newId,
          });
        }
      });
      assert.equal((await listEvents(store.db, environmentId)).length, EVENT_TYPE_DEFINITIONS.length);
      assert.equal((await listEvents(store.db, environmentId, { type: 'connection.*' })).length, 6);
      assert.equal((await listEvents(store.db, environmentId, { type: 'sync.failed' })).length, 1);

      await assert.rejects(
        store.db.transaction().execute(async (trx) => {
          await appendEvent(
            trx,
            {
              environmentId,
              type: 'connection.created',
              data: { connectionId: 'conn_1' },
            } as unknown as NewEvent,
            { clock, newId },
          );
        }),
        (error: unknown) => isPatchbayError(error, 'event_data_invalid'),
      );
      assert.equal((await listEvents(store.db, environmentId)).length, EVENT_TYPE_DEFINITIONS.length);
    });
  });
}
