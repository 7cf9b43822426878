import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { ManualClock } from '../clock/index.ts';
import { createEnvironmentsService, type Environment } from '../environments/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import type { Store } from '../store/index.ts';
import {
  createVault,
  ENCRYPTED_COLUMNS,
  generateKeyString,
  parseKeyring,
  rotateSecrets,
  type Vault,
} from '../vault/index.ts';
import { createEndpointsService } from './endpoints.ts';
import { channelsMatch, eventTypeMatches } from './endpoints-match.ts';
import { signatureHeaders } from './signing.ts';
import type { EndpointsService } from './types.ts';

const GIVEN_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function rejectsWith(code: string, paths?: string[]) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    if (paths) {
      const issues = (error.details as { issues: Array<{ path: string }> }).issues;
      assert.deepEqual(
        issues.map((issue) => issue.path),
        paths,
        error.message,
      );
    }
    return true;
  };
}

describe('endpoint matching rules', () => {
  it('filters event types exactly or by prefix', () => {
    assert.equal(eventTypeMatches(null, 'anything.at.all'), true);
    assert.equal(eventTypeMatches(['connection.*'], 'connection.created'), true);
    assert.equal(eventTypeMatches(['connection.*'], 'connection.reauth_required'), true);
    assert.equal(eventTypeMatches(['connection.*'], 'connections.created'), false);
    assert.equal(eventTypeMatches(['connection.*'], 'connection'), false);
    assert.equal(eventTypeMatches(['sync.succeeded'], 'sync.succeeded'), true);
    assert.equal(eventTypeMatches(['sync.succeeded'], 'sync.failed'), false);
  });

  it('uses Svix channel semantics', () => {
    assert.equal(channelsMatch(null, null), true);
    assert.equal(channelsMatch(null, ['user_1']), true);
    assert.equal(channelsMatch(['user_1'], ['user_2', 'user_1']), true);
    assert.equal(channelsMatch(['user_1'], ['user_2']), false);
    // A message without channels reaches only endpoints without a channel filter.
    assert.equal(channelsMatch(['user_1'], null), false);
    assert.equal(channelsMatch(['user_1'], []), false);
  });
});

for (const target of await testDatabases()) {
  describe(`endpoints service on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let store: Store;
    let vault: Vault;
    let keyString: string;
    let clock: ManualClock;
    let dev: Environment;
    let prod: Environment;
    let endpoints: EndpointsService;

    before(async () => {
      database = await target.create!();
      store = await database.open();
      await store.migrate();
      clock = new ManualClock();
      const environments = createEnvironmentsService({ store, clock });
      await environments.ensureBootstrap();
      dev = await environments.getEnvironmentByName('dev');
      prod = await environments.getEnvironmentByName('prod');
      keyString = generateKeyString();
      vault = createVault(parseKeyring(keyString));
      endpoints = createEndpointsService({ store, vault, clock });
    });
    after(async () => {
      await store?.close();
      await database?.destroy();
    });

    /** Tests that count endpoints start from an empty table. */
    async function deleteAll() {
      for (const environment of [dev, prod]) {
        for (const endpoint of (await endpoints.list(environment.id, { limit: 200 })).data)
          await endpoints.delete(environment.id, endpoint.id);
      }
    }

    async function rawRow(id: string) {
      return store.db.selectFrom('endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    }

    it('creates an endpoint with defaults and a generated secret, encrypted at rest', async () => {
      const { endpoint, secret } = await endpoints.create(dev.id, { url: 'https://hooks.example.com/in' });
      assert.match(endpoint.id, /^ep_[0-9a-z]{26}$/);
      assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.deepEqual(endpoint, {
        id: endpoint.id,
        environmentId: dev.id,
        url: 'https://hooks.example.com/in',
        description: null,
        eventTypes: null,
        channels: null,
        headers: {},
        rateLimitPerSecond: null,
        maxConcurrency: 10,
        enabled: true,
        disabledReason: null,
        failingSince: null,
        lastSuccessAt: null,
        createdAt: clock.now(),
        updatedAt: clock.now(),
      });
      assert.equal(JSON.stringify(endpoint).includes(secret), false);
      const row = await rawRow(endpoint.id);
      assert.ok(row.secret.startsWith('pbv1.'), row.secret);
      assert.equal(row.secret.includes(secret), false);
      assert.equal(row.secret.includes(secret.slice('whsec_'.length)), false);
      assert.equal(row.previous_secret, null);
      // No custom headers: nothing to encrypt, and nothing for an attempt to decrypt.
      assert.equal(row.headers, '');
      assert.deepEqual((await endpoints.target(dev.id, endpoint.id)).headers, {});
      assert.equal(await endpoints.getSecret(dev.id, endpoint.id), secret);
      assert.deepEqual(await endpoints.get(dev.id, endpoint.id), endpoint);
      // The envelope is bound to its row: copied to another endpoint, it does not decrypt.
      const other = await endpoints.create(dev.id, { url: 'https://hooks.example.com/other' });
      await store.db
        .updateTable('endpoints')
        .set({ secret: row.secret })
        .where('id', '=', other.endpoint.id)
        .execute();
      await assert.rejects(
        endpoints.getSecret(dev.id, other.endpoint.id),
        rejectsWith('vault_decrypt_failed'),
      );
      await endpoints.delete(dev.id, other.endpoint.id);
    });

    it('takes every setting, and a given secret', async () => {
      const { endpoint, secret } = await endpoints.create(dev.id, {
        url: 'http://127.0.0.1:8080/hooks?tenant=1',
        description: 'Billing receiver',
        eventTypes: ['connection.*', 'sync.failed', 'sync.failed'],
        channels: ['user_42', 'org:acme'],
        headers: { Authorization: 'Bearer host-token', 'X-Tenant': 'acme' },
        rateLimitPerSecond: 50,
        maxConcurrency: 3,
        secret: GIVEN_SECRET,
      });
      assert.equal(secret, GIVEN_SECRET);
      assert.equal(await endpoints.getSecret(dev.id, endpoint.id), GIVEN_SECRET);
      assert.equal(endpoint.description, 'Billing receiver');
      assert.deepEqual(endpoint.eventTypes, ['connection.*', 'sync.failed']);
      assert.deepEqual(endpoint.channels, ['user_42', 'org:acme']);
      assert.deepEqual(endpoint.headers, { authorization: 'Bearer host-token', 'x-tenant': 'acme' });
      const row = await rawRow(endpoint.id);
      assert.ok(row.headers.startsWith('pbv1.'), row.headers);
      assert.equal(row.headers.includes('host-token'), false);
      assert.deepEqual((await endpoints.target(dev.id, endpoint.id)).headers, endpoint.headers);
      // Cleared, they are stored as none again.
      assert.deepEqual((await endpoints.update(dev.id, endpoint.id, { headers: {} })).headers, {});
      assert.equal((await rawRow(endpoint.id)).headers, '');
      await endpoints.update(dev.id, endpoint.id, {
        headers: { Authorization: 'Bearer host-token', 'X-Tenant': 'acme' },
      });
      assert.equal(endpoint.rateLimitPerSecond, 50);
      assert.equal(endpoint.maxConcurrency, 3);
      assert.deepEqual(await endpoints.get(dev.id, endpoint.id), endpoint);
    });

    it('refuses invalid settings with the failing field paths', async () => {
      const cases: Array<[Parameters<EndpointsService['create']>[1], string[]]> = [
        [{ url: 'ftp://example.com/x' }, ['url']],
        [{ url: 'javascript:alert(1)' }, ['url']],
        [{ url: 'file:///etc/passwd' }, ['url']],
        [{ url: 'https://user:pass@example.com/' }, ['url']],
        [{ url: 'not a url' }, ['url']],
        [{ url: ' https://example.com/' }, ['url']],
        [{ url: `https://example.com/${'a'.repeat(2000)}` }, ['url']],
        [{ url: 'https://example.com/', eventTypes: [] }, ['eventTypes']],
        [
          {
            url: 'https://example.com/',
            eventTypes: [
              'connection.created',
              'bad type',
              '*',
              'a.*.b',
              'Sync.Failed',
              'ping',
              'sync.*',
              `a.${'b'.repeat(200)}`,
            ],
          },
          ['eventTypes.1', 'eventTypes.2', 'eventTypes.3', 'eventTypes.4', 'eventTypes.5', 'eventTypes.7'],
        ],
        [
          { url: 'https://example.com/', channels: ['ok', 'not ok', 'x'.repeat(129)] },
          ['channels.1', 'channels.2'],
        ],
        [
          { url: 'https://example.com/', channels: Array.from({ length: 11 }, (_, i) => `c${i}`) },
          ['channels'],
        ],
        [
          {
            url: 'https://example.com/',
            headers: {
              Host: 'evil',
              'Content-Type': 'text/plain',
              'webhook-signature': 'x',
              'Transfer-Encoding': 'chunked',
              'bad name': 'x',
              'X-Ok': 'line\r\nbreak',
            },
          },
          [
            'headers.Host',
            'headers.Content-Type',
            'headers.webhook-signature',
            'headers.Transfer-Encoding',
            'headers.bad name',
            'headers.X-Ok',
          ],
        ],
        [{ url: 'https://example.com/', headers: { 'x-a': '1', 'X-A': '2' } }, ['headers.X-A']],
        [
          {
            url: 'https://example.com/',
            headers: {
              'X-Emoji': 'ok ☕',
              'X-Accent': 'caf\u00e9',
              'X-Nul': 'a\u0000b',
              'X-Del': 'a\u007f',
              'X-Tab-And-Space': 'Bearer a\tb c',
            },
          },
          ['headers.X-Emoji', 'headers.X-Accent', 'headers.X-Nul', 'headers.X-Del'],
        ],
        [
          {
            url: 'https://example.com/',
            headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, 'v'])),
          },
          ['headers'],
        ],
        [{ url: 'https://example.com/', rateLimitPerSecond: 0 }, ['rateLimitPerSecond']],
        [{ url: 'https://example.com/', rateLimitPerSecond: 10_001 }, ['rateLimitPerSecond']],
        [{ url: 'https://example.com/', maxConcurrency: 0 }, ['maxConcurrency']],
        [{ url: 'https://example.com/', maxConcurrency: 101 }, ['maxConcurrency']],
        [{ url: 'https://example.com/', maxConcurrency: 2.5 }, ['maxConcurrency']],
        [{ url: 'https://example.com/', secret: 'whsec_short' }, ['secret']],
        [{ url: 'https://example.com/', secret: 'plain-secret-without-prefix-0123456789' }, ['secret']],
      ];
      for (const [input, paths] of cases) {
        await assert.rejects(
          endpoints.create(dev.id, input),
          rejectsWith('validation_failed', paths),
          JSON.stringify(input).slice(0, 200),
        );
      }
      const existing = await endpoints.create(dev.id, { url: 'https://example.com/valid' });
      await assert.rejects(
        endpoints.update(dev.id, existing.endpoint.id, { url: 'gopher://example.com', maxConcurrency: 500 }),
        rejectsWith('validation_failed', ['url', 'maxConcurrency']),
      );
      await assert.rejects(
        endpoints.update(dev.id, existing.endpoint.id, { headers: { 'X-Team': 'Zoë ✓', 'X-Ok': 'fine' } }),
        rejectsWith('validation_failed', ['headers.X-Team']),
      );
      assert.deepEqual((await endpoints.target(dev.id, existing.endpoint.id)).headers, {}, 'nothing stored');
      await assert.rejects(
        endpoints.create(newId('environment'), { url: 'https://example.com/' }),
        rejectsWith('not_found'),
      );
      await endpoints.delete(dev.id, existing.endpoint.id);
    });

    it('lists by cursor, updates, disables and re-enables, and deletes with messages and attempts', async () => {
      const env = (await endpoints.create(prod.id, { url: 'https://a.example.com/' })).endpoint;
      const b = (await endpoints.create(prod.id, { url: 'https://b.example.com/' })).endpoint;
      const c = (await endpoints.create(prod.id, { url: 'https://c.example.com/' })).endpoint;
      const first = await endpoints.list(prod.id, { limit: 2 });
      assert.deepEqual(
        first.data.map((e) => e.id),
        [env.id, b.id],
      );
      assert.equal(first.nextAfter, b.id);
      const second = await endpoints.list(prod.id, { limit: 2, after: first.nextAfter! });
      assert.deepEqual(
        second.data.map((e) => e.id),
        [c.id],
      );
      assert.equal(second.nextAfter, null);

      clock.advance(1000);
      const updated = await endpoints.update(prod.id, b.id, {
        url: 'https://b2.example.com/',
        description: 'renamed',
        eventTypes: ['sync.*'],
        channels: ['user_1'],
        headers: { 'X-One': '1' },
        rateLimitPerSecond: 5,
        maxConcurrency: 2,
      });
      assert.deepEqual(
        { ...updated },
        {
          ...b,
          url: 'https://b2.example.com/',
          description: 'renamed',
          eventTypes: ['sync.*'],
          channels: ['user_1'],
          headers: { 'x-one': '1' },
          rateLimitPerSecond: 5,
          maxConcurrency: 2,
          updatedAt: clock.now(),
        },
      );
      const cleared = await endpoints.update(prod.id, b.id, {
        description: null,
        eventTypes: null,
        channels: null,
        rateLimitPerSecond: null,
      });
      assert.deepEqual(
        [
          cleared.description,
          cleared.eventTypes,
          cleared.channels,
          cleared.rateLimitPerSecond,
          cleared.headers,
        ],
        [null, null, null, null, { 'x-one': '1' }],
      );
      assert.deepEqual(await endpoints.get(prod.id, b.id), cleared);

      const events = async () =>
        (
          await store.db
            .selectFrom('events')
            .select(['type', 'data'])
            .where('environment_id', '=', prod.id)
            .where('type', 'like', 'endpoint.%')
            .orderBy('id')
            .execute()
        ).map((event) => [event.type, JSON.parse(event.data)]);
      const disabled = await endpoints.update(prod.id, b.id, { enabled: false });
      assert.deepEqual([disabled.enabled, disabled.disabledReason], [false, 'manual']);
      await endpoints.update(prod.id, b.id, { enabled: false });
      // Reported once, in the transaction of the change.
      assert.deepEqual(await events(), [
        ['endpoint.disabled', { endpointId: b.id, url: 'https://b2.example.com/', reason: 'manual' }],
      ]);
      // An automatic disable (what delivery does after a 410), then a re-enable clears the streak.
      await store.db
        .updateTable('endpoints')
        .set({ disabled_reason: 'gone', failing_since: clock.now() - 1000, failing_warned_at: clock.now() })
        .where('id', '=', b.id)
        .execute();
      // A PATCH that does not mention `enabled` leaves delivery's disable alone; disabling again
      // keeps its reason.
      assert.deepEqual(
        [
          (await endpoints.update(prod.id, b.id, { description: 'x' })).disabledReason,
          (await rawRow(b.id)).enabled,
        ],
        ['gone', 0],
      );
      assert.equal((await endpoints.update(prod.id, b.id, { enabled: false })).disabledReason, 'gone');
      const enabled = await endpoints.update(prod.id, b.id, { enabled: true });
      assert.deepEqual([enabled.enabled, enabled.disabledReason, enabled.failingSince], [true, null, null]);
      assert.equal((await rawRow(b.id)).failing_warned_at, null);
      assert.deepEqual((await events()).at(-1), [
        'endpoint.enabled',
        { endpointId: b.id, url: 'https://b2.example.com/' },
      ]);
      assert.equal((await events()).length, 2);
      // Enabling an endpoint that is enabled keeps its failure streak (the auto-disable clock).
      const since = clock.now() - 5000;
      await store.db.updateTable('endpoints').set({ failing_since: since }).where('id', '=', b.id).execute();
      assert.equal((await endpoints.update(prod.id, b.id, { enabled: true })).failingSince, since);
      assert.equal((await events()).length, 2);
      await assert.rejects(
        endpoints.update(prod.id, newId('endpoint'), { enabled: true }),
        rejectsWith('not_found'),
      );

      // Messages and attempts of the endpoint go with it.
      const now = clock.now();
      const messageId = newId('message', now);
      await store.db
        .insertInto('messages')
        .values({
          id: messageId,
          environment_id: prod.id,
          endpoint_id: c.id,
          event_id: null,
          event_type: 'sync.failed',
          channels: null,
          payload: '{}',
          idempotency_key: null,
          status: 'failed',
          attempts: 1,
          next_attempt_at: null,
          last_attempt_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await store.db
        .insertInto('attempts')
        .values({
          id: newId('attempt', now),
          environment_id: prod.id,
          message_id: messageId,
          endpoint_id: c.id,
          attempt: 1,
          trigger: 'scheduled',
          status: 'failed',
          response_status: 500,
          response_body: 'oops',
          duration_ms: 3,
          error_code: 'http_error',
          error_message: null,
          created_at: now,
        })
        .execute();
      await endpoints.delete(prod.id, c.id);
      await assert.rejects(endpoints.get(prod.id, c.id), rejectsWith('not_found'));
      assert.equal(
        (await store.db.selectFrom('messages').select('id').where('endpoint_id', '=', c.id).execute()).length,
        0,
      );
      assert.equal(
        (await store.db.selectFrom('attempts').select('id').where('endpoint_id', '=', c.id).execute()).length,
        0,
      );
      await assert.rejects(endpoints.delete(prod.id, c.id), rejectsWith('not_found'));
      for (const e of [env, b]) await endpoints.delete(prod.id, e.id);
    });

    it('scopes every operation to the environment', async () => {
      const { endpoint } = await endpoints.create(dev.id, { url: 'https://scoped.example.com/' });
      const calls: Array<() => Promise<unknown>> = [
        () => endpoints.get(prod.id, endpoint.id),
        () => endpoints.update(prod.id, endpoint.id, { enabled: false }),
        () => endpoints.delete(prod.id, endpoint.id),
        () => endpoints.getSecret(prod.id, endpoint.id),
        () => endpoints.rotateSecret(prod.id, endpoint.id),
        () => endpoints.target(prod.id, endpoint.id),
      ];
      for (const call of calls) await assert.rejects(call(), rejectsWith('not_found'));
      assert.equal(
        (await endpoints.list(prod.id)).data.some((e) => e.id === endpoint.id),
        false,
      );
      assert.deepEqual(await endpoints.matching(prod.id, 'connection.created', null), []);
      assert.equal((await endpoints.get(dev.id, endpoint.id)).enabled, true);
      await endpoints.delete(dev.id, endpoint.id);
    });

    it('rotates the secret with a grace period in which both secrets sign', async () => {
      const { endpoint, secret: first } = await endpoints.create(dev.id, {
        url: 'https://rotate.example.com/',
      });
      assert.deepEqual((await endpoints.target(dev.id, endpoint.id)).secrets, [first]);

      const rotatedAt = clock.now();
      const second = await endpoints.rotateSecret(dev.id, endpoint.id);
      assert.notEqual(second, first);
      assert.equal(await endpoints.getSecret(dev.id, endpoint.id), second);
      const row = await rawRow(endpoint.id);
      assert.ok(row.previous_secret?.startsWith('pbv1.'));
      assert.equal(row.previous_secret?.includes(first.slice('whsec_'.length)), false);
      assert.equal(Number(row.previous_secret_expires_at), rotatedAt + 24 * 3600_000);

      const during = await endpoints.target(dev.id, endpoint.id);
      assert.deepEqual(during.secrets, [second, first]);
      assert.equal(during.url, 'https://rotate.example.com/');
      // A receiver still on the old secret and one already on the new one both verify.
      const headers = signatureHeaders({
        id: 'msg_rotation',
        timestamp: Math.floor(Date.now() / 1000),
        body: '{"type":"ping","timestamp":"2026-01-01T00:00:00.000Z","data":{}}',
        secrets: during.secrets,
      });
      for (const secret of [first, second])
        assert.ok(
          new StandardWebhook(secret).verify(
            '{"type":"ping","timestamp":"2026-01-01T00:00:00.000Z","data":{}}',
            headers,
          ),
        );

      clock.advance(24 * 3600_000 - 1);
      assert.deepEqual((await endpoints.target(dev.id, endpoint.id)).secrets, [second, first]);
      clock.advance(1);
      assert.deepEqual((await endpoints.target(dev.id, endpoint.id)).secrets, [second]);

      // A given secret, a custom grace, and no grace at all.
      assert.equal(
        await endpoints.rotateSecret(dev.id, endpoint.id, { secret: GIVEN_SECRET, graceSeconds: 60 }),
        GIVEN_SECRET,
      );
      assert.deepEqual((await endpoints.target(dev.id, endpoint.id)).secrets, [GIVEN_SECRET, second]);
      clock.advance(60_000);
      assert.deepEqual((await endpoints.target(dev.id, endpoint.id)).secrets, [GIVEN_SECRET]);
      const fourth = await endpoints.rotateSecret(dev.id, endpoint.id, { graceSeconds: 0 });
      assert.deepEqual((await endpoints.target(dev.id, endpoint.id)).secrets, [fourth]);
      assert.equal((await rawRow(endpoint.id)).previous_secret, null);

      await assert.rejects(
        endpoints.rotateSecret(dev.id, endpoint.id, { graceSeconds: 7 * 24 * 3600 + 1 }),
        rejectsWith('validation_failed', ['graceSeconds']),
      );
      await assert.rejects(
        endpoints.rotateSecret(dev.id, endpoint.id, { graceSeconds: -1 }),
        rejectsWith('validation_failed', ['graceSeconds']),
      );
      await assert.rejects(
        endpoints.rotateSecret(dev.id, endpoint.id, { secret: 'whsec_tooShort' }),
        rejectsWith('validation_failed', ['secret']),
      );
      assert.equal(await endpoints.getSecret(dev.id, endpoint.id), fourth);
      await endpoints.delete(dev.id, endpoint.id);
    });

    it('re-encrypts endpoint secrets on a vault key rotation, previous secrets included', async () => {
      await deleteAll();
      const a = await endpoints.create(dev.id, {
        url: 'https://keys.example.com/a',
        headers: { Authorization: 'Bearer receiver-token' },
      });
      const b = await endpoints.create(dev.id, { url: 'https://keys.example.com/b' });
      const newSecret = await endpoints.rotateSecret(dev.id, b.endpoint.id);
      // A new primary key first, the old one still configured to read what is not rotated yet.
      const nextKey = `k2:${Buffer.alloc(32, 9).toString('base64')}`;
      const rotatedVault = createVault(parseKeyring(`${nextKey},${keyString}`));
      const columns = ENCRYPTED_COLUMNS.filter((column) => column.table === 'endpoints');
      const report = await rotateSecrets(store, rotatedVault, columns);
      assert.deepEqual(
        report.columns.map((column) => [column.column, column.rotated]),
        [
          ['secret', 2],
          ['previous_secret', 1],
          // b has no custom headers: '' holds no envelope.
          ['headers', 1],
        ],
      );
      assert.ok(report.unusedKids.length === 1);
      // Only the new key is needed now.
      vault = createVault(parseKeyring(nextKey));
      endpoints = createEndpointsService({ store, vault, clock });
      assert.equal(await endpoints.getSecret(dev.id, a.endpoint.id), a.secret);
      assert.deepEqual((await endpoints.target(dev.id, a.endpoint.id)).headers, {
        authorization: 'Bearer receiver-token',
      });
      assert.deepEqual((await endpoints.target(dev.id, b.endpoint.id)).secrets, [newSecret, b.secret]);
      for (const e of [a, b]) await endpoints.delete(dev.id, e.endpoint.id);
    });

    it('matches enabled endpoints by event type and channel (Svix semantics)', async () => {
      await deleteAll();
      const make = async (
        name: string,
        input: { eventTypes?: string[] | null; channels?: string[] | null },
      ) => {
        const { endpoint } = await endpoints.create(dev.id, {
          url: `https://match.example.com/${name}`,
          ...input,
        });
        return [name, endpoint.id] as const;
      };
      const ids = new Map([
        await make('all', {}),
        await make('connections', { eventTypes: ['connection.*'] }),
        await make('created', { eventTypes: ['connection.created'] }),
        await make('sync', { eventTypes: ['sync.*'] }),
        await make('user1', { channels: ['user_1'] }),
        await make('user1-connections', { eventTypes: ['connection.*'], channels: ['user_1', 'user_3'] }),
        await make('disabled', {}),
      ]);
      await endpoints.update(dev.id, ids.get('disabled')!, { enabled: false });
      await endpoints.create(prod.id, { url: 'https://match.example.com/prod' });
      const names = new Map([...ids].map(([name, id]) => [id, name]));
      const matching = async (type: string, channels: string[] | null) =>
        (await endpoints.matching(dev.id, type, channels)).map((e) => names.get(e.id)).sort();

      assert.deepEqual(await matching('connection.created', null), ['all', 'connections', 'created']);
      assert.deepEqual(await matching('connection.deleted', null), ['all', 'connections']);
      assert.deepEqual(await matching('connection.created', ['user_1']), [
        'all',
        'connections',
        'created',
        'user1',
        'user1-connections',
      ]);
      assert.deepEqual(await matching('connection.created', ['user_2']), ['all', 'connections', 'created']);
      assert.deepEqual(await matching('sync.succeeded', ['user_3']), ['all', 'sync']);
      assert.deepEqual(await matching('records.changed', []), ['all']);
      // A disabled endpoint never matches; enabling it again makes it match.
      await endpoints.update(dev.id, ids.get('disabled')!, { enabled: true });
      assert.deepEqual(await matching('records.changed', null), ['all', 'disabled']);
    });
  });
}
