import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { Registry } from 'prom-client';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { createTestApi, type TestApi } from '../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { createInboundLayer, type InboundLayer } from '../engine/inbound.ts';
import { listEvents } from '../events/index.ts';
import { type ConnectFixture, openConnectFixture } from '../integrations/fixtures/connect-db.ts';
import { createSqlQueue, type SqlJobQueue } from '../queue/index.ts';

const PUBLIC_URL = 'https://hooks.example.com';
const STRIPE_SECRET = 'whsec_test_5f1d7c2a9b';
const SHOPIFY_SECRET = 'shpss_client_secret_81c3';
const CUSTOM_SECRET = 'custom-hook-secret-77';
const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const BODY_LIMIT = 4096;

for (const target of await testDatabases()) {
  describe(`inbound intake on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: ConnectFixture;
    let api: TestApi;
    let queue: SqlJobQueue;
    let layer: InboundLayer;
    const metrics = new Registry();
    const connectionIds: Record<string, string> = {};
    /** What the fake provider verification API (PayPal's, here) was asked, and what it answers. */
    const providerCalls: Array<{ connectionId: string; method: string; path: string; body?: unknown }> = [];
    let providerAnswer: { status: number; text: string } = {
      status: 200,
      text: '{"verification_status":"SUCCESS"}',
    };
    let gumroadToken = '';
    let resendToken = '';

    const env = () => f.dev.id;
    const nowSeconds = () => Math.floor(f.clock.now() / 1000);

    const stripeSign = (body: string, secret = STRIPE_SECRET, t = nowSeconds()) =>
      `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

    const postStripe = (body: string, headers: Record<string, string> = {}) =>
      api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/stripe`,
        headers: { 'content-type': 'application/json', 'stripe-signature': stripeSign(body), ...headers },
        payload: body,
      });

    const stripeEvent = (id: string, account: string | null, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        id,
        type: 'invoice.paid',
        ...(account ? { account } : {}),
        data: { object: { id: 'in_1' } },
        ...extra,
      });

    const row = (id: string) =>
      f.store.db.selectFrom('inbound_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    const oauth = () => ({
      type: 'oauth2' as const,
      accessToken: 'at-1',
    });

    before(async () => {
      database = await target.create!();
      f = await openConnectFixture(database);
      queue = createSqlQueue(f.store, { clock: f.clock });
      layer = createInboundLayer({
        store: f.store,
        catalog: f.catalog,
        integrations: f.integrations,
        connections: f.connections,
        queue,
        clock: f.clock,
        logger: (await import('../logger/index.ts')).createLogger({ level: 'silent' }),
        metrics,
        publicUrl: PUBLIC_URL,
        bodyLimit: BODY_LIMIT,
        dedupeWindowMs: 3_600_000,
        providerRequestFor: (_environmentId, connectionId) => async (request) => {
          providerCalls.push({ connectionId, ...request });
          return providerAnswer;
        },
      });
      api = await createTestApi(database, { clock: f.clock, metrics, routes: layer.routes() });

      await f.integrations.create(env(), {
        provider: 'stripe',
        clientId: 'ca_platform',
        clientSecret: 'sk_test_platform',
        webhookSecret: STRIPE_SECRET,
      });
      await f.integrations.create(env(), {
        provider: 'shopify',
        clientId: 'shop-app',
        clientSecret: SHOPIFY_SECRET,
      });
      await f.integrations.create(env(), { provider: 'gumroad', clientId: 'g', clientSecret: 'gs' });
      await f.integrations.create(env(), { provider: 'custom-webhook', webhookSecret: CUSTOM_SECRET });
      await f.integrations.create(env(), { provider: 'gmail', clientId: 'g', clientSecret: 'gs' });
      await f.integrations.create(f.prod.id, {
        provider: 'stripe',
        clientId: 'ca_platform',
        clientSecret: 'sk_test_platform',
        webhookSecret: 'whsec_prod_other',
      });
      const save = async (
        name: string,
        integrationId: string,
        config: Record<string, string>,
        metadata: Record<string, unknown>,
      ) => {
        const connection = await f.connections.save(env(), {
          integrationId,
          endUser: { id: `user-${name}`, email: null, organization: null },
          credentials: oauth(),
          connectionConfig: config,
          metadata,
        });
        connectionIds[name] = connection.id;
      };
      await save('stripeA', 'stripe', {}, { stripeAccountId: 'acct_A' });
      await save('stripeB', 'stripe', {}, { stripeAccountId: 'acct_B' });
      await save('shop1', 'shopify', { shop: 'acme.myshopify.com' }, {});
      await save('shop2', 'shopify', { shop: 'acme.myshopify.com' }, {});
      await save('gumroad', 'gumroad', {}, {});
      await f.integrations.create(env(), { provider: 'whop' });
      await f.integrations.create(env(), {
        provider: 'slack',
        clientId: 's',
        clientSecret: 'ss',
        webhookSecret: SLACK_SECRET,
      });
      await f.integrations.create(env(), { provider: 'mailchimp', clientId: 'm', clientSecret: 'ms' });
      await save('mailchimp', 'mailchimp', {}, {});
      await f.integrations.create(env(), { provider: 'resend' });
      for (const [name, integrationId, config, apiKey] of [
        ['whop', 'whop', { companyId: 'biz_Acme1' }, 'whop-key-1'],
        ['resend', 'resend', {}, 're_key_1'],
      ] as const) {
        const connection = await f.connections.save(env(), {
          integrationId,
          endUser: { id: `user-${name}`, email: null, organization: null },
          credentials: { type: 'api_key', values: { apiKey } },
          connectionConfig: { ...config },
          metadata: {},
        });
        connectionIds[name] = connection.id;
      }
    });

    after(async () => {
      await layer?.close();
      await queue?.close();
      await api?.close();
      await f?.store.close();
    });

    it('stores a verified delivery before answering 200, byte-exact, with the headers that matter', async () => {
      // Unusual whitespace, escapes and non-ASCII: any re-serialization would change these bytes.
      const body = `{ "id" : "evt_exact",\n\t"type":"invoice.paid",  "account":"acct_A",\r\n "note":"h\\u00e9llo ☃ 𝄞 ",\n"data":{"object":{}} }\n\n`;
      const response = await postStripe(body, {
        cookie: 'sid=1',
        authorization: 'Bearer nope',
        'x-other': 'y',
      });
      assert.equal(response.statusCode, 200, response.body);
      const answer = response.json() as { received: boolean; id: string };
      assert.equal(answer.received, true);
      const stored = await row(answer.id);
      assert.equal(Buffer.from(stored.body, 'base64').equals(Buffer.from(body)), true);
      assert.equal(stored.status, 'received');
      assert.equal(stored.provider_event_id, 'evt_exact');
      assert.equal(stored.dedupe_key, 'id:evt_exact');
      assert.equal(stored.event_type, 'invoice.paid');
      const headers = JSON.parse(stored.headers) as Record<string, string>;
      assert.ok(headers['stripe-signature']?.startsWith('t='));
      assert.equal(headers.cookie, undefined);
      assert.equal(headers.authorization, undefined);
      assert.equal(headers['x-other'], undefined);
      // The processing job was queued after the commit.
      const jobs = await queue.list({ state: 'queued' });
      assert.ok(jobs.some((job) => (job.payload as { inboundEventId: string }).inboundEventId === answer.id));
    });

    it('answers a provider retry 200 duplicate and stores it once', async () => {
      const body = stripeEvent('evt_dup', 'acct_A');
      const first = await postStripe(body);
      assert.equal(first.statusCode, 200);
      const again = await postStripe(body);
      assert.equal(again.statusCode, 200);
      assert.deepEqual(again.json(), { received: true, duplicate: true });
      const rows = await f.store.db
        .selectFrom('inbound_events')
        .select('id')
        .where('provider_event_id', '=', 'evt_dup')
        .execute();
      assert.equal(rows.length, 1);
    });

    it('stores concurrent deliveries (group commit) and dedupes within one batch', async () => {
      const bodies = Array.from({ length: 20 }, (_, i) => stripeEvent(`evt_burst_${i % 10}`, 'acct_B'));
      const responses = await Promise.all(bodies.map((body) => postStripe(body)));
      assert.ok(responses.every((r) => r.statusCode === 200));
      const duplicates = responses.filter((r) => (r.json() as { duplicate?: boolean }).duplicate).length;
      assert.equal(duplicates, 10);
    });

    it('rejects a tampered body, a wrong secret and a stale timestamp with 401 and counts them', async () => {
      const counter = () => metrics.getSingleMetric('patchbay_inbound_rejections_total')!.get();
      const count = async (code: string) =>
        (await counter()).values.find((v) => v.labels.provider === 'stripe' && v.labels.code === code)
          ?.value ?? 0;
      const before = await count('webhook_signature_invalid');
      const body = stripeEvent('evt_tamper', 'acct_A');
      const tampered = await postStripe(body.replace('acct_A', 'acct_B'), {
        'stripe-signature': stripeSign(body),
      });
      assert.equal(tampered.statusCode, 401);
      assert.equal((tampered.json() as { error: { code: string } }).error.code, 'webhook_signature_invalid');
      const wrong = await postStripe(body, { 'stripe-signature': stripeSign(body, 'whsec_wrong') });
      assert.equal(wrong.statusCode, 401);
      assert.equal(await count('webhook_signature_invalid'), before + 2);
      const stale = await postStripe(body, {
        'stripe-signature': stripeSign(body, STRIPE_SECRET, nowSeconds() - 3600),
      });
      assert.equal(stale.statusCode, 401);
      assert.equal((stale.json() as { error: { code: string } }).error.code, 'webhook_timestamp_invalid');
      const missing = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/stripe`,
        headers: { 'content-type': 'application/json' },
        payload: body,
      });
      assert.equal(missing.statusCode, 401);
      assert.equal(await count('webhook_signature_missing'), 1);
      const rows = await f.store.db
        .selectFrom('inbound_events')
        .select('id')
        .where('provider_event_id', '=', 'evt_tamper')
        .execute();
      assert.equal(rows.length, 0);
      assert.equal(api.logs.text().includes(STRIPE_SECRET), false);
      assert.equal(api.logs.text().includes('evt_tamper'), false);
    });

    it('refuses a body over the limit (413) and a content type the provider does not send (415)', async () => {
      const big = stripeEvent('evt_big', 'acct_A', { pad: 'x'.repeat(BODY_LIMIT) });
      const tooLarge = await postStripe(big);
      assert.equal(tooLarge.statusCode, 413);
      assert.equal((tooLarge.json() as { error: { code: string } }).error.code, 'payload_too_large');
      const body = stripeEvent('evt_text', 'acct_A');
      const text = await postStripe(body, { 'content-type': 'text/plain' });
      assert.equal(text.statusCode, 415);
      assert.equal((text.json() as { error: { code: string } }).error.code, 'unsupported_media_type');
    });

    it('refuses a signed body that is not the JSON it claims (400 webhook_payload_invalid), and counts it', async () => {
      const counter = () => metrics.getSingleMetric('patchbay_inbound_rejections_total')!.get();
      const count = async () =>
        (await counter()).values.find(
          (v) => v.labels.provider === 'stripe' && v.labels.code === 'webhook_payload_invalid',
        )?.value ?? 0;
      const before = await count();
      for (const body of ['{"id":"evt_cut","type":', 'id=evt_form&type=invoice.paid']) {
        const response = await postStripe(body);
        assert.equal(response.statusCode, 400, response.body);
        assert.equal((response.json() as { error: { code: string } }).error.code, 'webhook_payload_invalid');
      }
      assert.equal(await count(), before + 2);
    });

    it('answers 404 for an unknown environment or integration and a provider without webhooks', async () => {
      const body = stripeEvent('evt_404', 'acct_A');
      for (const url of [
        `/webhooks/${env()}/nope`,
        `/webhooks/env_00000000000000000000000000/stripe`,
        `/webhooks/not-an-env/stripe`,
        `/webhooks/${env()}/gmail`,
      ]) {
        const response = await api.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json', 'stripe-signature': stripeSign(body) },
          payload: body,
        });
        assert.equal(response.statusCode, 404, url);
      }
    });

    it('routes by body value, header value, URL token and to the integration; keeps the unmatched unrouted', async () => {
      // Stripe Connect: `account` ↔ metadata stripeAccountId.
      const stripe = (await postStripe(stripeEvent('evt_route', 'acct_B'))).json() as { id: string };
      assert.equal(await layer.process(env(), stripe.id), 'processed');
      assert.deepEqual(JSON.parse((await row(stripe.id)).connection_ids), [connectionIds.stripeB]);

      // Shopify: the shop domain header ↔ connection config `shop`; both connections of the shop.
      const shopBody = JSON.stringify({ id: 820982911946154500, total_price: '12.00' });
      const shop = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/shopify`,
        headers: {
          'content-type': 'application/json',
          'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(shopBody).digest('base64'),
          'x-shopify-shop-domain': 'acme.myshopify.com',
          'x-shopify-topic': 'orders/create',
          'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
        },
        payload: shopBody,
      });
      assert.equal(shop.statusCode, 200, shop.body);
      const shopId = (shop.json() as { id: string }).id;
      assert.equal(await layer.process(env(), shopId), 'processed');
      assert.deepEqual(
        (JSON.parse((await row(shopId)).connection_ids) as string[]).sort(),
        [connectionIds.shop1, connectionIds.shop2].sort(),
      );

      // Gumroad: unsigned form pings, authenticated and routed by the connection's URL token.
      const issued = await api.app.inject({
        method: 'POST',
        url: `/v1/connections/${connectionIds.gumroad}/webhook-token`,
        headers: api.devAuth,
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const url = new URL((issued.json() as { url: string }).url);
      assert.equal(url.origin, PUBLIC_URL);
      gumroadToken = url.searchParams.get('token') ?? '';
      assert.ok(gumroadToken.length >= 40);
      const stored = await f.store.db
        .selectFrom('connections')
        .select('webhook_token_hash')
        .where('id', '=', connectionIds.gumroad!)
        .executeTakeFirstOrThrow();
      assert.notEqual(stored.webhook_token_hash, gumroadToken);
      const ping = await api.app.inject({
        method: 'POST',
        url: url.pathname + url.search,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'sale_id=s1&resource_name=sale&price=100',
      });
      assert.equal(ping.statusCode, 200, ping.body);
      const pingId = (ping.json() as { id: string }).id;
      assert.equal((await row(pingId)).dedupe_key?.startsWith('sha256:'), true);
      assert.equal(await layer.process(env(), pingId), 'processed');
      assert.deepEqual(JSON.parse((await row(pingId)).connection_ids), [connectionIds.gumroad]);
      const badToken = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/gumroad?token=${'A'.repeat(43)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'sale_id=s2&resource_name=sale',
      });
      assert.equal(badToken.statusCode, 401);
      assert.equal((badToken.json() as { error: { code: string } }).error.code, 'webhook_token_invalid');

      // Custom webhook: routed to the integration, no connection.
      const customBody = JSON.stringify({ id: 'c-1', type: 'thing.happened' });
      const ts = String(nowSeconds());
      const custom = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/custom-webhook`,
        headers: {
          'content-type': 'application/json',
          'x-webhook-timestamp': ts,
          'x-webhook-signature': `sha256=${createHmac('sha256', CUSTOM_SECRET).update(`${ts}.${customBody}`).digest('hex')}`,
        },
        payload: customBody,
      });
      assert.equal(custom.statusCode, 200, custom.body);
      const customId = (custom.json() as { id: string }).id;
      assert.equal(await layer.process(env(), customId), 'processed');

      // No connection has acct_Z: kept, unrouted, visible.
      const lost = (await postStripe(stripeEvent('evt_lost', 'acct_Z'))).json() as { id: string };
      assert.equal(await layer.process(env(), lost.id), 'unrouted');
      const list = await api.app.inject({
        method: 'GET',
        url: '/v1/inbound-events?status=unrouted',
        headers: api.devAuth,
      });
      assert.deepEqual(
        (list.json() as { data: Array<{ id: string }> }).data.map((e) => e.id),
        [lost.id],
      );
    });

    it("verifies with the routed connection's own secret: by body value (Whop) and by URL (Resend)", async () => {
      const secret = `whsec_${Buffer.from('per-connection-key-0123456789ab').toString('base64')}`;
      for (const name of ['whop', 'resend']) {
        const put = await api.app.inject({
          method: 'PUT',
          url: `/v1/connections/${connectionIds[name]}/webhook-secret`,
          headers: api.devAuth,
          payload: { secret },
        });
        assert.equal(put.statusCode, 200, put.body);
      }
      const signer = new StandardWebhook(secret);
      const at = new Date(f.clock.now());

      const whopBody = JSON.stringify({
        type: 'membership.went_valid',
        company_id: 'biz_Acme1',
        data: { id: 'mem_1' },
      });
      const whopHeaders = (body: string, id: string) => ({
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signer.sign(id, at, body),
      });
      const whop = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/whop`,
        headers: whopHeaders(whopBody, 'msg_w1'),
        payload: whopBody,
      });
      assert.equal(whop.statusCode, 200, whop.body);
      const whopId = (whop.json() as { id: string }).id;
      assert.equal((await row(whopId)).dedupe_key, 'id:msg_w1');
      assert.equal(await layer.process(env(), whopId), 'processed');
      assert.deepEqual(JSON.parse((await row(whopId)).connection_ids), [connectionIds.whop]);
      // Another company's delivery finds no connection, hence no secret: refused.
      const otherBody = whopBody.replace('biz_Acme1', 'biz_Other');
      const other = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/whop`,
        headers: whopHeaders(otherBody, 'msg_w2'),
        payload: otherBody,
      });
      assert.equal(other.statusCode, 401);

      const issued = await api.app.inject({
        method: 'POST',
        url: `/v1/connections/${connectionIds.resend}/webhook-token`,
        headers: api.devAuth,
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const url = new URL((issued.json() as { url: string }).url);
      assert.match(url.pathname, new RegExp(`^/webhooks/${env()}/resend/[A-Za-z0-9_-]{43}$`));
      resendToken = url.pathname.split('/').at(-1) ?? '';
      const resendBody = JSON.stringify({ type: 'email.delivered', data: { email_id: 'e1' } });
      const svix = (id: string) => ({
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
        'svix-signature': signer.sign(id, at, resendBody),
      });
      const resend = await api.app.inject({
        method: 'POST',
        url: url.pathname,
        headers: svix('msg_r1'),
        payload: resendBody,
      });
      assert.equal(resend.statusCode, 200, resend.body);
      const resendId = (resend.json() as { id: string }).id;
      assert.equal(await layer.process(env(), resendId), 'processed');
      assert.deepEqual(JSON.parse((await row(resendId)).connection_ids), [connectionIds.resend]);
      // Without the connection's URL the delivery has no secret to pass.
      const bare = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/resend`,
        headers: svix('msg_r2'),
        payload: resendBody,
      });
      assert.equal(bare.statusCode, 401);
      const described = await api.app.inject({
        method: 'GET',
        url: '/v1/integrations/resend/webhook-url',
        headers: api.devAuth,
      });
      assert.equal((described.json() as { perConnection: boolean }).perConnection, true);
    });

    it("verifies provider_api deliveries (PayPal's) with the provider's API for the connection the URL names", async () => {
      await f.integrations.create(env(), { provider: 'paypal' });
      const connection = await f.connections.save(env(), {
        integrationId: 'paypal',
        endUser: { id: 'user-paypal', email: null, organization: null },
        credentials: {
          type: 'oauth2_client_credentials',
          accessToken: 'A21AA-token',
          clientId: 'c',
          clientSecret: 's',
        },
        connectionConfig: { apiHost: 'api-m.sandbox.paypal.com', webhookId: '1JE4291016473214C' },
        metadata: {},
      });
      const issued = await api.app.inject({
        method: 'POST',
        url: `/v1/connections/${connection.id}/webhook-token`,
        headers: api.devAuth,
      });
      assert.equal(issued.statusCode, 201, issued.body);
      const url = new URL((issued.json() as { url: string }).url);
      const body = JSON.stringify({
        id: 'WH-58D329510W468432D',
        event_type: 'PAYMENT.CAPTURE.COMPLETED',
        resource: {},
      });
      const deliver = () =>
        api.app.inject({
          method: 'POST',
          url: url.pathname + url.search,
          headers: {
            'content-type': 'application/json',
            'paypal-auth-algo': 'SHA256withRSA',
            'paypal-cert-url': 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42',
            'paypal-transmission-id': '69cd13f0-d67a-11e5-baa3-778b53f4ae55',
            'paypal-transmission-sig':
              'lmI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9bCHSRxbrd8A9zrhdu2rMyFrmz+Zjh3s3boXB07VXCXUZy/UFzUlnGJn0wDugt7FlSvdKeIJenLRemUxYCPVoEZzg9VFNqOa48gMkvF+XTpxBeUx/kWy6B5cp7GkT2+pOowfRK7OaynuxUoKW3JcMWw272VKjLTtTAShncla7tGF+55rxyt2KNZIIqxNMJ48RDZheGU5w1npu9dZHnPgTXB9iomeVRoD8O/jhRpnKsGrDschyNdkeh81BJJMH4Ctc6lnCCquoP/GzCzz33MMsNdid7vL/NIWaCsekQpW26FpWPi/tfj8nLA==',
            'paypal-transmission-time': '2016-02-18T20:01:35Z',
          },
          payload: body,
        });
      const accepted = await deliver();
      assert.equal(accepted.statusCode, 200, accepted.body);
      const call = providerCalls.at(-1);
      assert.equal(call?.connectionId, connection.id);
      assert.equal(call?.method, 'POST');
      assert.equal(call?.path, '/v1/notifications/verify-webhook-signature');
      const sent = call?.body as Record<string, unknown>;
      assert.equal(sent.webhook_id, '1JE4291016473214C');
      assert.equal(sent.transmission_id, '69cd13f0-d67a-11e5-baa3-778b53f4ae55');
      assert.deepEqual(sent.webhook_event, JSON.parse(body));
      try {
        providerAnswer = { status: 200, text: '{"verification_status":"FAILURE"}' };
        const refused = await deliver();
        assert.equal(refused.statusCode, 401);
        assert.equal((refused.json() as { error: { code: string } }).error.code, 'webhook_signature_invalid');
        // No verdict (PayPal down): 5xx, so that PayPal delivers it again; nothing is stored.
        providerAnswer = { status: 503, text: '' };
        const later = await deliver();
        assert.equal(later.statusCode, 502, later.body);
        assert.equal((later.json() as { error: { code: string } }).error.code, 'provider_unreachable');
      } finally {
        providerAnswer = { status: 200, text: '{"verification_status":"SUCCESS"}' };
      }
    });

    it('answers handshakes as the verifier says, without storing them', async () => {
      const body = JSON.stringify({ token: 'x', challenge: 'chal-3eX1', type: 'url_verification' });
      const ts = String(nowSeconds());
      const signature = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
      const slack = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/slack`,
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': signature,
        },
        payload: body,
      });
      assert.equal(slack.statusCode, 200, slack.body);
      assert.equal(slack.body, 'chal-3eX1');
      const unsigned = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/slack`,
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': 'v0=00',
        },
        payload: body,
      });
      assert.equal(unsigned.statusCode, 401);
      const stored = await f.store.db
        .selectFrom('inbound_events')
        .select('id')
        .where('provider', '=', 'slack')
        .execute();
      assert.equal(stored.length, 0);

      const issued = await api.app.inject({
        method: 'POST',
        url: `/v1/connections/${connectionIds.mailchimp}/webhook-token`,
        headers: api.devAuth,
      });
      const url = new URL((issued.json() as { url: string }).url);
      const ping = await api.app.inject({ method: 'GET', url: url.pathname + url.search });
      assert.equal(ping.statusCode, 200);
      const forged = await api.app.inject({ method: 'GET', url: `${url.pathname}?token=${'B'.repeat(43)}` });
      // A refused handshake is an error like any other: the error model, a stable code, a request
      // id (found by the API fuzz test: it was a text/plain 403 without a code).
      assertRefused(forged, 401, 'webhook_token_invalid');
      const noHandshake = await api.app.inject({ method: 'GET', url: `/webhooks/${env()}/stripe` });
      assert.equal(noHandshake.statusCode, 404);

      // Meta: the verify token is the integration's webhook secret, not the app secret that signs.
      await f.integrations.create(env(), {
        provider: 'facebook-messenger',
        clientId: 'meta-app',
        clientSecret: 'meta-app-secret',
        webhookSecret: 'my-verify-token',
      });
      const subscribe = (token: string) =>
        api.app.inject({
          method: 'GET',
          url: `/webhooks/${env()}/facebook-messenger?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`,
        });
      const accepted = await subscribe('my-verify-token');
      assert.equal(accepted.statusCode, 200, accepted.body);
      assert.equal(accepted.body, '1158201444');
      assertRefused(await subscribe('meta-app-secret'), 401, 'webhook_token_invalid');
      const noChallenge = await api.app.inject({
        method: 'GET',
        url: `/webhooks/${env()}/facebook-messenger?hub.mode=subscribe&hub.verify_token=my-verify-token`,
      });
      assertRefused(noChallenge, 400, 'webhook_payload_invalid');
      const slackWithoutChallenge = JSON.stringify({ token: 'x', type: 'url_verification' });
      const signed = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${slackWithoutChallenge}`).digest('hex')}`;
      const emptyChallenge = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${env()}/slack`,
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': signed,
        },
        payload: slackWithoutChallenge,
      });
      assertRefused(emptyChallenge, 400, 'webhook_payload_invalid');
    });

    it('emits inbound.<provider>.<type> once per routed connection, once only', async () => {
      const { id } = (await postStripe(stripeEvent('evt_emit', 'acct_A'))).json() as { id: string };
      assert.equal(await layer.process(env(), id), 'processed');
      assert.equal(await layer.process(env(), id), 'skipped');
      const events = (await listEvents(f.store.db, env(), { type: 'inbound.*', limit: 1000 })).filter(
        (e) => e.data.inboundEventId === id,
      );
      assert.equal(events.length, 1);
      assert.equal(events[0]!.type, 'inbound.stripe.invoice.paid');
      assert.equal(events[0]!.data.connectionId, connectionIds.stripeA);
      assert.equal(events[0]!.data.endUserId, 'user-stripeA');
      assert.equal((events[0]!.data.payload as { id: string }).id, 'evt_emit');
      const shopify = await listEvents(f.store.db, env(), { type: 'inbound.shopify.*', limit: 100 });
      assert.equal(shopify.length, 2);
      assert.equal(shopify[0]!.type, 'inbound.shopify.orders.create');
    });

    it('reprocesses an event on request (202) and emits it again', async () => {
      const { id } = (await postStripe(stripeEvent('evt_re', 'acct_A'))).json() as { id: string };
      await layer.process(env(), id);
      const response = await api.app.inject({
        method: 'POST',
        url: `/v1/inbound-events/${id}/reprocess`,
        headers: api.devAuth,
      });
      assert.equal(response.statusCode, 202, response.body);
      assert.equal((await row(id)).status, 'received');
      assert.equal(await layer.process(env(), id), 'processed');
      const events = (await listEvents(f.store.db, env(), { type: 'inbound.*', limit: 1000 })).filter(
        (e) => e.data.inboundEventId === id,
      );
      assert.equal(events.length, 2);
    });

    it('shows an event with its decoded payload, filters the list, and scopes both by environment', async () => {
      const { id } = (await postStripe(stripeEvent('evt_show', 'acct_A'))).json() as { id: string };
      const got = await api.app.inject({
        method: 'GET',
        url: `/v1/inbound-events/${id}`,
        headers: api.devAuth,
      });
      assert.equal(got.statusCode, 200, got.body);
      const detail = got.json() as {
        payload: { kind: string; value: { id: string } };
        integrationKey: string;
        headers: Record<string, string>;
      };
      assert.equal(detail.payload.kind, 'json');
      assert.equal(detail.payload.value.id, 'evt_show');
      assert.equal(detail.integrationKey, 'stripe');
      const byConnection = await api.app.inject({
        method: 'GET',
        url: `/v1/inbound-events?connection=${connectionIds.stripeB}&integration=stripe`,
        headers: api.devAuth,
      });
      const ids = (byConnection.json() as { data: Array<{ connectionIds: string[] }> }).data;
      assert.ok(ids.length >= 1 && ids.every((e) => e.connectionIds.includes(connectionIds.stripeB!)));
      const page = await api.app.inject({
        method: 'GET',
        url: '/v1/inbound-events?limit=2',
        headers: api.devAuth,
      });
      const pageBody = page.json() as { data: unknown[]; nextAfter: string | null };
      assert.equal(pageBody.data.length, 2);
      assert.ok(pageBody.nextAfter);
      const other = await api.app.inject({
        method: 'GET',
        url: `/v1/inbound-events/${id}`,
        headers: api.prodAuth,
      });
      assert.equal(other.statusCode, 404);
      const otherList = await api.app.inject({
        method: 'GET',
        url: '/v1/inbound-events',
        headers: api.prodAuth,
      });
      assert.deepEqual((otherList.json() as { data: unknown[] }).data, []);
      const reprocess = await api.app.inject({
        method: 'POST',
        url: `/v1/inbound-events/${id}/reprocess`,
        headers: api.prodAuth,
      });
      assert.equal(reprocess.statusCode, 404);
      // The prod Stripe integration has its own secret: dev's signature does not pass there.
      const body = stripeEvent('evt_prod', 'acct_A');
      const cross = await api.app.inject({
        method: 'POST',
        url: `/webhooks/${f.prod.id}/stripe`,
        headers: { 'content-type': 'application/json', 'stripe-signature': stripeSign(body) },
        payload: body,
      });
      assert.equal(cross.statusCode, 401);
    });

    it('gives the URL to register and sets a connection webhook secret', async () => {
      const url = await api.app.inject({
        method: 'GET',
        url: '/v1/integrations/stripe/webhook-url',
        headers: api.devAuth,
      });
      assert.equal(url.statusCode, 200, url.body);
      assert.deepEqual(url.json(), {
        url: `${PUBLIC_URL}/webhooks/${env()}/stripe`,
        scheme: 'hmac',
        preset: 'stripe',
        secretFrom: 'integration',
        perConnection: false,
      });
      const none = await api.app.inject({
        method: 'GET',
        url: '/v1/integrations/gmail/webhook-url',
        headers: api.devAuth,
      });
      assert.equal(none.statusCode, 404);
      const notUrl = await api.app.inject({
        method: 'POST',
        url: `/v1/connections/${connectionIds.stripeA}/webhook-token`,
        headers: api.devAuth,
      });
      assert.equal(notUrl.statusCode, 400);
      const put = await api.app.inject({
        method: 'PUT',
        url: `/v1/connections/${connectionIds.stripeA}/webhook-secret`,
        headers: api.devAuth,
        payload: { secret: 'conn-secret-123' },
      });
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.body.includes('conn-secret-123'), false);
      const secrets = await f.connections.webhookSecrets(env(), [connectionIds.stripeA!]);
      assert.equal(secrets.get(connectionIds.stripeA!), 'conn-secret-123');
      const row = await f.store.db
        .selectFrom('connections')
        .select('webhook_secret')
        .where('id', '=', connectionIds.stripeA!)
        .executeTakeFirstOrThrow();
      assert.equal(row.webhook_secret?.includes('conn-secret-123'), false);
    });

    it('re-queues events a crash left unqueued, and forgets dedupe keys after the window', async () => {
      const { id } = (await postStripe(stripeEvent('evt_window', 'acct_A'))).json() as { id: string };
      // Simulate a crash between the commit and the enqueue: the job is gone.
      for (const job of await queue.list({ state: 'queued' })) {
        if ((job.payload as { inboundEventId?: string }).inboundEventId === id) {
          const [claimed] = await queue
            .claim({ names: ['inbound.process'], owner: 't', leaseMs: 1000, limit: 1000 })
            .then((all) => all.filter((j) => j.id === job.id));
          if (claimed) await queue.complete(claimed);
        }
      }
      f.clock.advance(61_000);
      assert.ok((await layer.events.sweep()) >= 1);
      const jobs = await queue.list({ state: 'queued' });
      assert.ok(jobs.some((job) => (job.payload as { inboundEventId: string }).inboundEventId === id));

      f.clock.advance(3_600_000);
      assert.ok((await layer.events.expireDedupe()) >= 1);
      assert.equal((await row(id)).dedupe_key, null);
      const again = await postStripe(stripeEvent('evt_window', 'acct_A'));
      assert.equal(again.statusCode, 200);
      assert.notEqual((again.json() as { id?: string }).id, undefined);
    });

    it('never logs secrets, URL tokens or bodies', () => {
      const text = api.logs.text();
      assert.ok(text.includes('/webhooks/'), 'the intake requests are logged');
      for (const secret of [
        STRIPE_SECRET,
        SHOPIFY_SECRET,
        SLACK_SECRET,
        CUSTOM_SECRET,
        gumroadToken,
        resendToken,
      ]) {
        assert.ok(secret.length > 10);
        assert.equal(text.includes(secret), false, `the log has ${secret.slice(0, 6)}…`);
      }
      assert.equal(text.includes('acct_A'), false);
    });

    it('answers 503 when the delivery cannot be stored, so the provider retries', async () => {
      await layer.close();
      const response = await postStripe(stripeEvent('evt_down', 'acct_A'));
      assert.equal(response.statusCode, 503);
      assert.equal((response.json() as { error: { code: string } }).error.code, 'inbound_store_unavailable');
    });
  });
}

/** An answer in the API's error model with `code`, answered with `status` and its request id. */
function assertRefused(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body);
  const { error } = response.json() as { error: { code: string; message: string; requestId: string } };
  assert.equal(error.code, code);
  assert.ok(error.message.length > 0);
  assert.equal(error.requestId, response.headers['x-request-id']);
}
