// biome-ignore-all lint/suspicious/noExplicitAny: the test reads JSON answers loosely and asserts on their fields
/**
 * The hub's routes in process (Fastify inject) on a whole engine, on SQLite and PostgreSQL: hub
 * sessions and their options, the tiles as data, the settings, and the page's API acting for one
 * end user with the plan enforced — a locked integration is refused, a paused connection cannot
 * sync, another end user's connection does not exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { createPatchbay, type Patchbay } from '../../engine/index.ts';
import { createLogger } from '../../logger/index.ts';
import { generateKeyString } from '../../vault/index.ts';

const ORIGIN = 'https://app.example.com';
const SECRET = 'sk_test_hubSecret000000000000';

for (const target of await testDatabases()) {
  describe(`hub routes on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let engine: Patchbay;
    let apiKey: string;
    let environmentId: string;

    async function call(method: string, url: string, body?: unknown, bearer = apiKey) {
      const response = await engine.api!.inject({
        method: method as 'GET',
        url,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      const text = response.body;
      assert.equal(text.includes(SECRET), false, 'no answer carries a credential');
      let parsed: Record<string, any> = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = {};
      }
      return { status: response.statusCode, body: parsed, text, headers: response.headers };
    }

    async function hubToken(endUserId = 'ada', extra: object = {}): Promise<string> {
      const created = await call('POST', '/v1/hub/sessions', {
        endUser: { id: endUserId },
        allowedOrigin: ORIGIN,
        ...extra,
      });
      assert.equal(created.status, 201, created.text);
      return created.body.token;
    }

    function tiles(hub: any): Map<string, any> {
      return new Map(
        hub.categories.flatMap((group: any) => group.tiles.map((tile: any) => [tile.key, tile])),
      );
    }

    async function connect(endUserId: string, integration: string) {
      const found = await engine.services.providers.integrations.get(environmentId, integration);
      return engine.services.providers.connections.save(environmentId, {
        integrationId: found.id,
        endUser: { id: endUserId, email: null, organization: null },
        credentials: { type: 'api_key', values: { secretKey: SECRET } },
        connectionConfig: {},
        metadata: { accountName: `${endUserId}'s shop` },
      });
    }

    before(async () => {
      database = await target.create!();
      engine = await createPatchbay({
        env: {},
        config: {
          dataDir: database.dataDir,
          databaseUrl: database.databaseUrl,
          encryptionKeys: generateKeyString(),
          port: 0,
          role: 'api',
          publicUrl: 'https://patchbay.example.com',
        },
        logger: createLogger({ level: 'silent' }),
      });
      apiKey = (await engine.start()).firstApiKey ?? '';
      environmentId = (await call('GET', '/v1/environment')).body.id;
      for (const plan of [
        { key: 'free', name: 'Free', rank: 0, default: true, integrations: { keys: ['woo'] } },
        { key: 'pro', name: 'Pro', rank: 10, limits: { perCategory: { payments: 1 } } },
        { key: 'business', name: 'Business', rank: 20 },
      ]) {
        assert.equal((await call('POST', '/v1/plans', plan)).status, 201);
      }
      for (const integration of [
        { key: 'stripe', provider: 'stripe-api-key', displayName: 'Stripe' },
        { key: 'stripe-eu', provider: 'stripe-api-key', displayName: 'Stripe Europe' },
        { key: 'woo', provider: 'woocommerce' },
      ]) {
        const created = await call('POST', '/v1/integrations', integration);
        assert.equal(created.status, 201, created.text);
      }
    });

    after(async () => {
      await engine?.stop();
      await database?.destroy();
    });

    it('documents its operations and the tile schema in the OpenAPI document', async () => {
      const document = (await call('GET', '/openapi.json')).body;
      for (const path of [
        '/v1/hub/sessions',
        '/v1/end-users/{id}/hub',
        '/v1/hub/settings',
        '/hub/api/session',
      ]) {
        assert.ok(document.paths[path], `${path} in /openapi.json`);
      }
      const hub = document.paths['/v1/end-users/{id}/hub'].get;
      assert.equal(hub.operationId, 'getEndUserHub');
      assert.ok(document.components.schemas.HubTile, 'the HubTile schema');
      assert.deepEqual(document.components.schemas.HubTile.properties.state.enum, [
        'connected',
        'available',
        'locked',
        'coming_soon',
        'error',
      ]);
    });

    it('keeps the coming-soon list and refuses providers the catalog does not know', async () => {
      assert.deepEqual((await call('GET', '/v1/hub/settings')).body, {
        comingSoon: [],
        editableMappings: false,
        updatedAt: null,
      });
      const unknown = await call('PATCH', '/v1/hub/settings', {
        comingSoon: ['shopify', 'no-such-provider'],
      });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error.code, 'validation_failed');
      assert.match(unknown.body.error.message, /no-such-provider/);
      const set = await call('PATCH', '/v1/hub/settings', { comingSoon: ['shopify', 'shopify'] });
      assert.equal(set.status, 200);
      assert.deepEqual(set.body.comingSoon, ['shopify']);
      assert.equal(set.body.editableMappings, false);
      assert.equal((await call('GET', '/v1/hub/settings')).body.comingSoon[0], 'shopify');
    });

    it('creates hub sessions with validated options and refuses CSS smuggled in a theme', async () => {
      for (const options of [
        { theme: { accent: 'red;background:url(https://evil.example/x)' } },
        { theme: { fontFamily: 'x}body{display:none' } },
        { theme: { accent: '#fff', position: 'fixed' } },
        { locale: '../../etc' },
        { texts: { 'page.title': 'ok', 'no.such.key': 'x' } },
        { returnUrl: 'https://evil.example/back' },
      ]) {
        const refused = await call('POST', '/v1/hub/sessions', {
          endUser: { id: 'ada' },
          allowedOrigin: ORIGIN,
          options,
        });
        assert.equal(refused.status, 400, JSON.stringify(options));
        assert.equal(refused.body.error.code, 'validation_failed');
      }
      const noOrigin = await call('POST', '/v1/hub/sessions', {
        endUser: { id: 'ada' },
        options: { returnUrl: `${ORIGIN}/settings` },
      });
      assert.equal(noOrigin.status, 400, 'a return URL needs the allowed origin it must be on');

      const created = await call('POST', '/v1/hub/sessions', {
        endUser: { id: 'ada', email: 'ada@example.com' },
        allowedOrigin: ORIGIN,
        options: {
          theme: { accent: '#0b6e4f', radius: '6px', fontFamily: 'Inter, sans-serif' },
          colorScheme: 'dark',
          locale: 'en',
          texts: { 'page.title': 'Your <apps>' },
          returnUrl: `${ORIGIN}/settings`,
        },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.headers['cache-control'], 'no-store');
      assert.match(created.body.token, /^pb_cst_/);
      assert.equal(created.body.url, `https://patchbay.example.com/hub?session=${created.body.token}`);
      // The end user is recorded on first use.
      assert.equal((await call('GET', '/v1/end-users/ada')).body.email, 'ada@example.com');

      const page = await engine.api!.inject({ url: `/hub?session=${created.body.token}` });
      assert.equal(page.statusCode, 200);
      assert.match(
        String(page.headers['content-security-policy']),
        /frame-ancestors https:\/\/app\.example\.com/,
      );
      assert.match(page.body, /<html lang="en" data-scheme="dark">/);
      assert.match(page.body, /<title>Your &lt;apps&gt;<\/title>/);
      assert.match(page.body, /data-theme="\{&quot;accent&quot;:&quot;#0b6e4f&quot;/);
      assert.equal(page.body.includes('<apps>'), false, 'texts are escaped');
      const light = await engine.api!.inject({ url: `/hub?session=${created.body.token}&scheme=light` });
      assert.match(light.body, /data-scheme="light"/);
      const odd = await engine.api!.inject({ url: `/hub?session=${created.body.token}&scheme=%22%3E` });
      assert.match(odd.body, /data-scheme="dark"/, 'an unknown scheme falls back to the session’s');
      const anonymous = await engine.api!.inject({ url: '/hub' });
      assert.equal(anonymous.statusCode, 200);
      assert.match(String(anonymous.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.match(anonymous.body, /data-scheme="auto"/);
      const script = await engine.api!.inject({ url: '/hub/assets/hub.js' });
      assert.equal(script.statusCode, 200);
      assert.equal((await engine.api!.inject({ url: '/hub/assets/..%2Fpage.ts' })).statusCode, 404);
    });

    it('shows a Free end user locked, available and coming-soon tiles, and refuses a locked connect', async () => {
      const token = await hubToken('free-user');
      const page = await call('GET', '/hub/api/session', undefined, token);
      assert.equal(page.status, 200, page.text);
      assert.equal(page.body.allowedOrigin, ORIGIN);
      assert.deepEqual(page.body.hub.plan, { key: 'free', name: 'Free' });
      assert.equal(page.body.usage.endUserId, 'free-user');
      assert.deepEqual(page.body.usage.plan, { key: 'free', name: 'Free' });
      assert.equal(page.body.usage.connections.total, 0);
      assert.deepEqual(
        page.body.hub.categories.map((group: any) => [
          group.category,
          group.tiles.map((tile: any) => tile.key),
        ]),
        [
          ['payments', ['stripe', 'stripe-eu']],
          ['commerce', ['shopify', 'woo']],
        ],
      );
      const byKey = tiles(page.body.hub);
      assert.equal(byKey.get('stripe').state, 'locked');
      assert.deepEqual(byKey.get('stripe').lock.requiredPlan, { key: 'pro', name: 'Pro' });
      assert.equal(byKey.get('stripe').lock.code, 'plan_upgrade_required');
      assert.equal(byKey.get('woo').state, 'available');
      assert.equal(byKey.get('shopify').state, 'coming_soon');

      // The same tiles as data for the host.
      const data = await call('GET', '/v1/end-users/free-user/hub');
      assert.equal(data.status, 200);
      assert.deepEqual(data.body, page.body.hub);
      assert.equal((await call('GET', '/v1/end-users/nobody/hub')).status, 404);

      const refused = await call('POST', '/hub/api/connect', { integration: 'stripe' }, token);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'plan_upgrade_required');
      assert.equal(refused.body.error.details.requiredPlan.key, 'pro');
      const allowed = await call('POST', '/hub/api/connect', { integration: 'woo' }, token);
      assert.equal(allowed.status, 200, allowed.text);
      const connectToken = new URL(allowed.body.url).searchParams.get('session') ?? '';
      assert.match(allowed.body.url, /^https:\/\/patchbay\.example\.com\/connect\?session=pb_cst_/);
      // That connect session offers exactly the integration and reports to Patchbay's own origin.
      const offered = await call('GET', '/connect/api/session', undefined, connectToken);
      assert.equal(offered.status, 200, offered.text);
      assert.deepEqual(
        offered.body.integrations.map((integration: any) => integration.key),
        ['woo'],
      );
      assert.equal(offered.body.allowedOrigin, 'https://patchbay.example.com');
      assert.equal(offered.body.endUser.id, 'free-user');

      // Each token opens its own page's API only.
      const crossed = await call('GET', '/connect/api/session', undefined, token);
      assert.equal(crossed.status, 401);
      assert.equal(crossed.body.error.code, 'unauthorized');
      assert.equal((await call('GET', '/hub/api/session', undefined, connectToken)).status, 401);
      assert.equal(
        (await call('GET', '/hub/api/session', undefined, 'pb_cst_nope')).body.error.code,
        'connect_session_invalid',
      );
    });

    it('acts on the end user’s own connections only, through the plan', async () => {
      for (const [id, planKey] of [
        ['pro-user', 'pro'],
        ['someone-else', 'business'],
      ]) {
        assert.equal((await call('POST', '/v1/end-users', { id, planKey })).status, 201);
      }
      const token = await hubToken('pro-user');
      const own = await connect('pro-user', 'stripe');
      const other = await connect('someone-else', 'stripe');

      let byKey = tiles((await call('GET', '/hub/api/session', undefined, token)).body.hub);
      assert.equal(byKey.get('stripe').state, 'connected');
      assert.equal(byKey.get('stripe').connections[0].accountName, "pro-user's shop");
      assert.equal(byKey.get('stripe').connections[0].lastSyncAt, null);
      assert.equal(byKey.get('stripe-eu').state, 'locked');
      assert.equal(byKey.get('stripe-eu').lock.code, 'plan_limit_reached');
      assert.deepEqual(byKey.get('stripe-eu').lock.requiredPlan, { key: 'business', name: 'Business' });
      assert.equal(byKey.get('stripe-eu').lock.max, 1);
      const second = await call('POST', '/hub/api/connect', { integration: 'stripe-eu' }, token);
      assert.equal(second.status, 403);
      assert.equal(second.body.error.code, 'plan_limit_reached');

      const detail = await call('GET', `/hub/api/connections/${own.id}`, undefined, token);
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.body.integrationKey, 'stripe');
      // The first runs its auto-start syncs queued when it was created, newest first.
      assert.ok(detail.body.runs.length > 0);
      assert.ok(detail.body.runs.every((run: any) => run.connectionId === own.id && run.status === 'queued'));
      const times = detail.body.runs.map((run: any) => run.id);
      assert.deepEqual(times, [...times].sort().reverse());
      assert.deepEqual(detail.body.mappings, []);
      assert.equal(detail.body.mappingsEditable, false);
      for (const [method, path] of [
        ['GET', ''],
        ['POST', '/test'],
        ['POST', '/sync'],
        ['DELETE', ''],
      ] as const) {
        const answer = await call(method, `/hub/api/connections/${other.id}${path}`, undefined, token);
        assert.equal(answer.status, 404, `${method} ${path} on another end user's connection`);
      }
      const readOnly = await call(
        'PUT',
        `/hub/api/connections/${own.id}/field-mappings/model/charges`,
        { fields: [{ from: 'amount', to: 'total' }] },
        token,
      );
      assert.equal(readOnly.status, 403);
      assert.equal(readOnly.body.error.code, 'forbidden');

      // A reconnect of the end user's own connection opens the connect page for it.
      const reconnect = await call(
        'POST',
        '/hub/api/connect',
        { integration: 'stripe', connectionId: own.id },
        token,
      );
      assert.equal(reconnect.status, 200, reconnect.text);
      const foreign = await call(
        'POST',
        '/hub/api/connect',
        { integration: 'stripe', connectionId: other.id },
        token,
      );
      assert.equal(foreign.status, 404);

      // A downgrade pauses the connection: the tile needs attention and names the plan to resume it.
      assert.equal((await call('PATCH', '/v1/end-users/pro-user', { planKey: 'free' })).status, 200);
      byKey = tiles((await call('GET', '/hub/api/session', undefined, token)).body.hub);
      assert.equal(byKey.get('stripe').state, 'error');
      assert.equal(byKey.get('stripe').connections[0].paused, true);
      assert.equal(byKey.get('stripe').connections[0].pausedReason, 'integration');
      assert.deepEqual(byKey.get('stripe').connections[0].requiredPlan, { key: 'pro', name: 'Pro' });
      const sync = await call('POST', `/hub/api/connections/${own.id}/sync`, undefined, token);
      assert.equal(sync.status, 403);
      assert.equal(sync.body.error.code, 'plan_limit_reached');
      assert.equal(sync.body.error.details.limit, 'paused');
      assert.match(sync.body.error.message, /does not include the integration "stripe"/);
      assert.equal(sync.body.error.details.requiredPlan.key, 'pro');

      // An upgrade resumes it; syncing is allowed again.
      assert.equal((await call('PATCH', '/v1/end-users/pro-user', { planKey: 'pro' })).status, 200);
      byKey = tiles((await call('GET', '/hub/api/session', undefined, token)).body.hub);
      assert.equal(byKey.get('stripe').state, 'connected');
      const resumed = await call('POST', `/hub/api/connections/${own.id}/sync`, undefined, token);
      assert.equal(resumed.status, 200, resumed.text);
      assert.ok(Array.isArray(resumed.body.runIds));

      const gone = await call('DELETE', `/hub/api/connections/${own.id}`, undefined, token);
      assert.equal(gone.status, 200, gone.text);
      assert.deepEqual(gone.body, { id: own.id, deleted: true, revoked: false });
      assert.equal((await call('GET', `/v1/connections/${own.id}`)).status, 404);
      byKey = tiles((await call('GET', '/hub/api/session', undefined, token)).body.hub);
      assert.equal(byKey.get('stripe').state, 'available');
      assert.equal(
        (await call('GET', `/v1/connections/${other.id}`)).status,
        200,
        'the other one is untouched',
      );
    });

    it('lets end users edit their mappings where the environment allows it', async () => {
      const token = await hubToken('mapper');
      await call('PATCH', '/v1/end-users/mapper', { planKey: 'business' });
      const own = await connect('mapper', 'stripe');
      assert.equal((await call('PATCH', '/v1/hub/settings', { editableMappings: true })).status, 200);
      const syncs = await call('GET', `/v1/connections/${own.id}/syncs`);
      const model = syncs.body.data[0].models[0] as string;
      const put = await call(
        'PUT',
        `/hub/api/connections/${own.id}/field-mappings/model/${model}`,
        { fields: [{ from: 'id', to: 'externalId' }] },
        token,
      );
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.mapping.fields[0].to, 'externalId');
      const invalid = await call(
        'PUT',
        `/hub/api/connections/${own.id}/field-mappings/model/${model}`,
        { fields: [{ from: 'no.such.path.anywhere', to: 'x' }] },
        token,
      );
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.error.code, 'mapping_invalid');
      const detail = await call('GET', `/hub/api/connections/${own.id}`, undefined, token);
      assert.equal(detail.body.mappingsEditable, true);
      assert.equal(detail.body.mappings[0].target, model);
      const removed = await call(
        'DELETE',
        `/hub/api/connections/${own.id}/field-mappings/model/${model}`,
        undefined,
        token,
      );
      assert.equal(removed.status, 200, removed.text);
      await call('PATCH', '/v1/hub/settings', { editableMappings: false });
    });

    it('shows a provider family as one tile whose connect session offers each way to connect', async () => {
      assert.equal(
        (await call('POST', '/v1/end-users', { id: 'family-user', planKey: 'business' })).status,
        201,
      );
      for (const integration of [
        { key: 'whop-oauth', provider: 'whop-oauth', clientId: 'app_client', clientSecret: 'app_secret' },
        { key: 'whop', provider: 'whop' },
      ]) {
        const created = await call('POST', '/v1/integrations', integration);
        assert.equal(created.status, 201, created.text);
      }
      const token = await hubToken('family-user');
      let byKey = tiles((await call('GET', '/hub/api/session', undefined, token)).body.hub);
      // Headed by the family's own provider, whichever was enabled first; the variant has no tile.
      assert.equal(byKey.get('whop')?.state, 'available');
      assert.equal(byKey.has('whop-oauth'), false);
      // Two integrations of one provider stay apart, as on the connect page.
      assert.ok(byKey.has('stripe') && byKey.has('stripe-eu'));

      const started = await call('POST', '/hub/api/connect', { integration: 'whop' }, token);
      assert.equal(started.status, 200, started.text);
      const session = new URL(started.body.url).searchParams.get('session') ?? '';
      const offered = await call('GET', '/connect/api/session', undefined, session);
      assert.deepEqual(offered.body.integrations.map((i: any) => i.key).sort(), ['whop', 'whop-oauth']);

      // A connection made by the variant shows on the family's tile; reconnecting it offers its own way only.
      const made = await connect('family-user', 'whop-oauth');
      byKey = tiles((await call('GET', '/hub/api/session', undefined, token)).body.hub);
      assert.equal(byKey.get('whop')?.state, 'connected');
      assert.deepEqual(
        byKey.get('whop')?.connections.map((c: any) => c.id),
        [made.id],
      );
      const again = await call(
        'POST',
        '/hub/api/connect',
        { integration: 'whop', connectionId: made.id },
        token,
      );
      assert.equal(again.status, 200, again.text);
      const reconnect = new URL(again.body.url).searchParams.get('session') ?? '';
      const only = await call('GET', '/connect/api/session', undefined, reconnect);
      assert.deepEqual(
        only.body.integrations.map((i: any) => i.key),
        ['whop-oauth'],
      );
    });
  });
}
