// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definition templates are `${name}` strings
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sqliteTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import { type AuthFixture, openAuthFixture, testDefinition } from './fixtures/auth-fixture.ts';

const SHOP = '^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$';

// Shopify's documented example (secret "hush"): the message is the query without hmac, sorted.
const DOC_QUERY =
  'code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173';
/** The example's signed time (Unix seconds): the tests' clock runs a minute after it. */
const DOC_TIMESTAMP = 1337178173;

function rejectsWith(code: string) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

/** Signs a query the way Shopify documents it: HMAC-SHA256 of the sorted `k=v&…` message. */
function signed(
  params: Record<string, string>,
  secret: string,
  encoding: 'hex' | 'base64' = 'hex',
): URLSearchParams {
  const message = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const hmac = createHmac('sha256', secret).update(message).digest(encoding);
  return new URLSearchParams({ ...params, hmac });
}

describe('Shopify-style install verification', () => {
  let database: TestDatabase;
  let f: AuthFixture;
  let shopify: ResolvedIntegration;
  let strict: ResolvedIntegration;

  function integration(install: Record<string, unknown>, secret: string): ResolvedIntegration {
    return f.addIntegration(
      testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: 'https://${shop}/admin/oauth/authorize',
          tokenUrl: 'https://${shop}/admin/oauth/access_token',
          scopeSeparator: ',',
          defaultScopes: ['read_orders'],
          refresh: false,
          install: { configKey: 'shop', shopPattern: SHOP, ...install },
        },
        baseUrl: 'https://${shop}/admin/api/2025-07',
        proxyHeaders: { 'X-Shopify-Access-Token': '${accessToken}' },
        connectionConfig: [
          { key: 'shop', label: 'Shop domain', pattern: SHOP, example: 'acme.myshopify.com' },
        ],
      }),
      { clientId: 'shopify-client', clientSecret: secret },
    );
  }

  before(async () => {
    database = sqliteTestDatabase();
    f = await openAuthFixture(database);
    f.clock.set((DOC_TIMESTAMP + 60) * 1000);
    shopify = integration({ hmacEncoding: 'hex' }, 'hush');
    strict = integration({ hmacEncoding: 'base64', tolerance: 300 }, 'shpss_secret');
  });
  after(async () => {
    await f?.store.close();
    await database?.destroy();
  });

  it("accepts Shopify's documented example and returns the shop as connection config", () => {
    const result = f.auth.verifyInstall(shopify, new URLSearchParams(DOC_QUERY));
    assert.deepEqual(result, { connectionConfig: { shop: 'some-shop.myshopify.com' } });
  });

  it('refuses a tampered parameter, a tampered or truncated hmac, and a missing one', () => {
    const tamperedShop = new URLSearchParams(DOC_QUERY);
    tamperedShop.set('shop', 'other-shop.myshopify.com');
    assert.throws(
      () => f.auth.verifyInstall(shopify, tamperedShop),
      rejectsWith('install_signature_invalid'),
    );

    const flipped = new URLSearchParams(DOC_QUERY);
    flipped.set('hmac', `${flipped.get('hmac')!.slice(0, -1)}0`);
    assert.throws(() => f.auth.verifyInstall(shopify, flipped), rejectsWith('install_signature_invalid'));

    const short = new URLSearchParams(DOC_QUERY);
    short.set('hmac', short.get('hmac')!.slice(0, 10));
    assert.throws(() => f.auth.verifyInstall(shopify, short), rejectsWith('install_signature_invalid'));

    const unsigned = new URLSearchParams(DOC_QUERY);
    unsigned.delete('hmac');
    assert.throws(() => f.auth.verifyInstall(shopify, unsigned), rejectsWith('install_signature_invalid'));

    const extra = new URLSearchParams(DOC_QUERY);
    extra.set('host', 'YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvc29tZS1zaG9w');
    assert.throws(() => f.auth.verifyInstall(shopify, extra), rejectsWith('install_signature_invalid'));
  });

  it('refuses a correctly signed query whose shop is not a shop domain', () => {
    for (const shop of ['evil.example.com', 'some-shop.myshopify.com.evil.com', 'Some-Shop.myshopify.com']) {
      const query = signed({ code: 'c', shop, timestamp: String(DOC_TIMESTAMP) }, 'hush');
      assert.throws(() => f.auth.verifyInstall(shopify, query), rejectsWith('validation_failed'), shop);
    }
  });

  it('checks base64 signatures and the timestamp tolerance against the clock', () => {
    const now = Math.floor(f.clock.now() / 1000);
    const fresh = signed(
      { shop: 'acme.myshopify.com', timestamp: String(now - 60) },
      'shpss_secret',
      'base64',
    );
    assert.deepEqual(f.auth.verifyInstall(strict, fresh), {
      connectionConfig: { shop: 'acme.myshopify.com' },
    });
    const stale = signed(
      { shop: 'acme.myshopify.com', timestamp: String(now - 301) },
      'shpss_secret',
      'base64',
    );
    assert.throws(() => f.auth.verifyInstall(strict, stale), rejectsWith('install_timestamp_invalid'));
    const hexInstead = signed({ shop: 'acme.myshopify.com', timestamp: String(now) }, 'shpss_secret', 'hex');
    assert.throws(() => f.auth.verifyInstall(strict, hexInstead), rejectsWith('install_signature_invalid'));
  });

  it('refuses a correctly signed install outside its time window, whatever the definition says', () => {
    // `shopify` declares no tolerance: the default window (5 minutes back, 1 minute ahead) applies.
    const now = Math.floor(f.clock.now() / 1000);
    const at = (timestamp: string | undefined) =>
      signed({ shop: 'acme.myshopify.com', ...(timestamp === undefined ? {} : { timestamp }) }, 'hush');
    for (const timestamp of [String(now - 300), String(now), String(now + 60)]) {
      assert.deepEqual(
        f.auth.verifyInstall(shopify, at(timestamp)),
        { connectionConfig: { shop: 'acme.myshopify.com' } },
        timestamp,
      );
    }
    const replays = {
      'a year old': String(now - 365 * 86_400),
      'just past the window': String(now - 301),
      'from the future': String(now + 61),
      missing: undefined,
      'not a number': 'yesterday',
      fractional: `${now}.5`,
    };
    for (const [name, timestamp] of Object.entries(replays)) {
      assert.throws(
        () => f.auth.verifyInstall(shopify, at(timestamp)),
        rejectsWith('install_timestamp_invalid'),
        name,
      );
    }
  });

  it('then starts authorization at the shop', async () => {
    const { connectionConfig } = f.auth.verifyInstall(shopify, new URLSearchParams(DOC_QUERY));
    const start = await f.auth.startAuthorization({
      session: f.session(),
      integration: shopify,
      connectionConfig,
    });
    const url = new URL(start.authorizationUrl);
    assert.equal(url.origin + url.pathname, 'https://some-shop.myshopify.com/admin/oauth/authorize');
    assert.equal(url.searchParams.get('scope'), 'read_orders');
    assert.equal(
      url.searchParams.has('code_challenge'),
      false,
      'no PKCE when the definition does not ask for it',
    );
  });

  it('refuses connection config that would change the host, before rendering any URL', async () => {
    for (const shop of ['evil.com/x', 'a.myshopify.com@evil.com', '']) {
      await assert.rejects(
        f.auth.startAuthorization({ session: f.session(), integration: shopify, connectionConfig: { shop } }),
        rejectsWith('validation_failed'),
      );
    }
  });
});
