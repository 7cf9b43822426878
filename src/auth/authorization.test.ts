import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import type { ProviderDefinition } from '../catalog/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import { type AuthFixture, CALLBACK_URL, openAuthFixture, testDefinition } from './fixtures/auth-fixture.ts';
import {
  authorizeInBrowser,
  CLIENT_ID,
  CLIENT_SECRET,
  type OidcServer,
  startOidcServer,
} from './fixtures/oidc-server.ts';

function rejectsWith(code: string, check?: (details: Record<string, unknown>) => void) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    check?.((error.details ?? {}) as Record<string, unknown>);
    return true;
  };
}

function stateOf(authorizationUrl: string): string {
  return new URL(authorizationUrl).searchParams.get('state')!;
}

function stateHash(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

for (const target of await testDatabases()) {
  describe(`OAuth authorization code + PKCE against oidc-provider, on ${target.name}`, {
    skip: target.skip,
  }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: AuthFixture;
    let server: OidcServer;
    let definition: ProviderDefinition;
    let integration: ResolvedIntegration;

    before(async () => {
      database = await target.create!();
      f = await openAuthFixture(database);
      server = await startOidcServer({ redirectUris: [CALLBACK_URL] });
      definition = testDefinition({
        auth: {
          mode: 'oauth2',
          authorizationUrl: `${server.issuer}/auth`,
          tokenUrl: `${server.issuer}/token`,
          revokeUrl: `${server.issuer}/token/revocation`,
          defaultScopes: ['openid', 'api'],
          pkce: true,
          refresh: true,
          rotatesRefreshToken: true,
          authorizationParams: { prompt: 'consent', audience: 'acme-api' },
        },
        baseUrl: `${server.issuer}/api`,
      });
      integration = f.addIntegration(definition, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    });
    after(async () => {
      await server?.close();
      await f?.store.close();
      await database?.destroy();
    });

    it('builds the authorization URL with state, an S256 challenge, scopes, redirect URI and extra params', async () => {
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration,
        connectionConfig: {},
      });
      const url = new URL(start.authorizationUrl);
      assert.equal(url.origin + url.pathname, `${server.issuer}/auth`);
      const p = url.searchParams;
      assert.equal(p.get('response_type'), 'code');
      assert.equal(p.get('client_id'), CLIENT_ID);
      assert.equal(p.get('redirect_uri'), CALLBACK_URL);
      assert.equal(p.get('scope'), 'openid api');
      assert.equal(p.get('prompt'), 'consent');
      assert.equal(p.get('audience'), 'acme-api');
      assert.equal(p.get('code_challenge_method'), 'S256');
      assert.match(p.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
      assert.match(p.get('state')!, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(p.has('client_secret'), false);
      assert.equal(start.expiresAt, f.clock.now() + 600_000);

      // Stored by hash; the verifier is a vault envelope whose S256 is the challenge.
      const row = await f.store.db
        .selectFrom('oauth_states')
        .selectAll()
        .where('state_hash', '=', stateHash(p.get('state')!))
        .executeTakeFirstOrThrow();
      assert.equal(row.redirect_uri, CALLBACK_URL);
      assert.equal(row.environment_id, f.environmentId);
      assert.ok(row.code_verifier?.startsWith('pbv1.'), String(row.code_verifier));
      const verifier = f.vault.decrypt(row.code_verifier!, {
        table: 'oauth_states',
        rowId: row.state_hash,
        purpose: 'code_verifier',
      });
      assert.equal(row.code_verifier!.includes(verifier), false);
      assert.equal(createHash('sha256').update(verifier).digest('base64url'), p.get('code_challenge'));
      const all = await f.store.db.selectFrom('oauth_states').select('state_hash').execute();
      assert.equal(
        all.some((r) => r.state_hash === p.get('state')),
        false,
        'the raw state is never stored',
      );
    });

    it('uses the integration scopes and redirect URI when set', async () => {
      const custom = f.addIntegration(definition, {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        scopes: ['api'],
        redirectUri: 'https://host.example.com/oauth/callback',
      });
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration: custom,
        connectionConfig: {},
      });
      const p = new URL(start.authorizationUrl).searchParams;
      assert.equal(p.get('scope'), 'api');
      assert.equal(p.get('redirect_uri'), 'https://host.example.com/oauth/callback');
    });

    it('completes a plain OAuth 2.0 exchange (no openid scope, so no id_token)', async () => {
      const plain = f.addIntegration(definition, {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        scopes: ['api'],
      });
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration: plain,
        connectionConfig: {},
      });
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      const result = await f.auth.completeAuthorization(callback);
      assert.equal(result.integrationId, plain.id);
      assert.equal(
        result.credentials.type === 'oauth2' && result.credentials.tokenType?.toLowerCase(),
        'bearer',
      );
    });

    it('exchanges the code with the verifier, then refreshes with rotation, then revokes (RFC 7009)', async () => {
      const session = f.session();
      const start = await f.auth.startAuthorization({ session, integration, connectionConfig: {} });
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      assert.ok(callback.searchParams.get('code'), callback.href);
      assert.equal(callback.searchParams.get('iss'), server.issuer);

      const result = await f.auth.completeAuthorization(callback);
      assert.equal(result.environmentId, f.environmentId);
      assert.equal(result.sessionId, session.id);
      assert.equal(result.integrationId, integration.id);
      assert.deepEqual(result.connectionConfig, {});
      const credentials = result.credentials;
      assert.equal(credentials.type, 'oauth2');
      if (credentials.type !== 'oauth2') return;
      assert.ok(credentials.accessToken.length > 20);
      assert.ok(credentials.refreshToken);
      assert.equal(credentials.tokenType?.toLowerCase(), 'bearer');
      // oidc-provider's default access token lifetime is one hour: expires_in counted from the clock.
      assert.equal(credentials.expiresAt, f.clock.now() + 3600_000);

      const refreshed = await f.auth.refresh(integration, credentials);
      assert.equal(refreshed.ok, true, JSON.stringify(refreshed));
      if (!refreshed.ok || refreshed.credentials.type !== 'oauth2') return;
      assert.notEqual(refreshed.credentials.accessToken, credentials.accessToken);
      assert.ok(refreshed.credentials.refreshToken);
      assert.notEqual(
        refreshed.credentials.refreshToken,
        credentials.refreshToken,
        'the refresh token rotated',
      );

      // The rotated-away refresh token is dead: the provider says invalid_grant → rejected.
      const stale = await f.auth.refresh(integration, credentials);
      assert.deepEqual(stale.ok === false && { kind: stale.kind, code: stale.code }, {
        kind: 'rejected',
        code: 'invalid_grant',
      });

      const revoked = await f.auth.revoke({
        id: 'conn_test',
        environmentId: f.environmentId,
        status: 'active',
        endUserId: 'user-1',
        connectionConfig: {},
        metadata: {},
        integration,
        credentials: refreshed.credentials,
        expiresAt: refreshed.credentials.expiresAt ?? null,
        updatedAt: f.clock.now(),
      });
      assert.deepEqual(revoked, { revoked: true });
      const afterRevoke = await f.auth.refresh(integration, refreshed.credentials);
      assert.equal(afterRevoke.ok === false && afterRevoke.kind, 'rejected');
    });

    it('refuses a replayed state with oauth_state_invalid, before any exchange', async () => {
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration,
        connectionConfig: {},
      });
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      await f.auth.completeAuthorization(callback);
      const before = server.tokenRequests();
      await assert.rejects(f.auth.completeAuthorization(callback), rejectsWith('oauth_state_invalid'));
      assert.equal(server.tokenRequests(), before, 'a replay never reaches the token endpoint');
    });

    it('lets only one of two racing callbacks with the same state through', async () => {
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration,
        connectionConfig: {},
      });
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      const results = await Promise.allSettled([
        f.auth.completeAuthorization(callback),
        f.auth.completeAuthorization(callback),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const failed = results.find((r) => r.status === 'rejected');
      assert.ok(failed && isPatchbayError(failed.reason, 'oauth_state_invalid'));
    });

    it('refuses an unknown or missing state with oauth_state_invalid', async () => {
      await assert.rejects(
        f.auth.completeAuthorization(new URL(`${CALLBACK_URL}?code=abc&state=not-a-state-we-issued`)),
        rejectsWith('oauth_state_invalid'),
      );
      await assert.rejects(
        f.auth.completeAuthorization(new URL(`${CALLBACK_URL}?code=abc`)),
        rejectsWith('oauth_state_invalid'),
      );
    });

    it('refuses an expired state with oauth_state_expired', async () => {
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration,
        connectionConfig: {},
      });
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      f.clock.advance(600_000);
      await assert.rejects(f.auth.completeAuthorization(callback), rejectsWith('oauth_state_expired'));
    });

    it('reports the provider error= as oauth_provider_error and consumes the state', async () => {
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration,
        connectionConfig: {},
      });
      const state = stateOf(start.authorizationUrl);
      const callback = new URL(`${CALLBACK_URL}?error=access_denied&error_description=nope&state=${state}`);
      await assert.rejects(
        f.auth.completeAuthorization(callback),
        rejectsWith('oauth_provider_error', (d) => assert.deepEqual(d, { error: 'access_denied' })),
      );
      await assert.rejects(f.auth.completeAuthorization(callback), rejectsWith('oauth_state_invalid'));
    });

    it('refuses a callback naming another issuer', async () => {
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration,
        connectionConfig: {},
      });
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      callback.searchParams.set('iss', 'https://evil.example.com');
      await assert.rejects(
        f.auth.completeAuthorization(callback),
        rejectsWith('oauth_provider_error', (d) => assert.equal(d.error, 'issuer_mismatch')),
      );
    });

    it('refuses an issuer on the right origin that is not exactly the issuer (RFC 9207)', async () => {
      for (const iss of [`${server.issuer}/`, `${server.issuer}/tenant-b`, server.issuer.toUpperCase()]) {
        const start = await f.auth.startAuthorization({
          session: f.session(),
          integration,
          connectionConfig: {},
        });
        const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
        callback.searchParams.set('iss', iss);
        await assert.rejects(
          f.auth.completeAuthorization(callback),
          rejectsWith('oauth_provider_error', (d) => assert.equal(d.error, 'issuer_mismatch')),
          iss,
        );
      }
    });

    it('compares iss with the issuer the definition declares, not with its origin', async () => {
      const declared = f.addIntegration(
        testDefinition({
          auth: {
            mode: 'oauth2',
            authorizationUrl: `${server.issuer}/auth`,
            tokenUrl: `${server.issuer}/token`,
            issuer: `${server.issuer}/tenant-a`,
            defaultScopes: ['openid', 'api'],
            pkce: true,
            refresh: true,
            authorizationParams: { prompt: 'consent', audience: 'acme-api' },
          },
          baseUrl: `${server.issuer}/api`,
        }),
        { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      );
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration: declared,
        connectionConfig: {},
      });
      // The sandbox names its origin as the issuer: that is not the declared one.
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      assert.equal(callback.searchParams.get('iss'), server.issuer);
      await assert.rejects(
        f.auth.completeAuthorization(callback),
        rejectsWith('oauth_provider_error', (d) => assert.equal(d.error, 'issuer_mismatch')),
      );
    });

    it('gets oauth_exchange_failed when the server refuses a wrong PKCE verifier', async () => {
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration,
        connectionConfig: {},
      });
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      const hash = stateHash(stateOf(start.authorizationUrl));
      const wrong = f.vault.encrypt('a'.repeat(43), {
        table: 'oauth_states',
        rowId: hash,
        purpose: 'code_verifier',
      });
      await f.store.db
        .updateTable('oauth_states')
        .set({ code_verifier: wrong })
        .where('state_hash', '=', hash)
        .execute();
      await assert.rejects(
        f.auth.completeAuthorization(callback),
        rejectsWith('oauth_exchange_failed', (d) =>
          assert.deepEqual(d, { status: 400, error: 'invalid_grant' }),
        ),
      );
    });

    it('gets oauth_exchange_failed when the verifier is missing (the server requires PKCE)', async () => {
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration,
        connectionConfig: {},
      });
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      const hash = stateHash(stateOf(start.authorizationUrl));
      await f.store.db
        .updateTable('oauth_states')
        .set({ code_verifier: null })
        .where('state_hash', '=', hash)
        .execute();
      await assert.rejects(
        f.auth.completeAuthorization(callback),
        rejectsWith('oauth_exchange_failed', (d) => {
          assert.equal(d.status, 400);
          assert.match(String(d.error), /^invalid_(grant|request)$/);
        }),
      );
    });

    it('gets oauth_exchange_failed when the redirect URI does not match the authorization request', async () => {
      const start = await f.auth.startAuthorization({
        session: f.session(),
        integration,
        connectionConfig: {},
      });
      const callback = await authorizeInBrowser(start.authorizationUrl, CALLBACK_URL);
      const hash = stateHash(stateOf(start.authorizationUrl));
      await f.store.db
        .updateTable('oauth_states')
        .set({ redirect_uri: 'http://127.0.0.1:3999/elsewhere' })
        .where('state_hash', '=', hash)
        .execute();
      await assert.rejects(
        f.auth.completeAuthorization(callback),
        rejectsWith('oauth_exchange_failed', (d) =>
          assert.deepEqual(d, { status: 400, error: 'invalid_grant' }),
        ),
      );
    });

    it('gets a client credentials token from the same server', async () => {
      const cc = f.addIntegration(
        testDefinition({
          auth: {
            mode: 'oauth2_client_credentials',
            tokenUrl: `${server.issuer}/token`,
            tokenEndpointAuth: 'client_secret_post',
            credentialsFrom: 'integration',
          },
          baseUrl: `${server.issuer}/api`,
        }),
        { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      );
      const connected = await f.auth.connectWithCredentials({
        integration: cc,
        environmentId: f.environmentId,
        connectionConfig: {},
        values: {},
      });
      assert.equal(connected.credentials.type, 'oauth2_client_credentials');
      if (connected.credentials.type !== 'oauth2_client_credentials') return;
      assert.ok(connected.credentials.accessToken.length > 20);
      assert.ok(connected.credentials.expiresAt && connected.credentials.expiresAt > f.clock.now());
      const again = await f.auth.refresh(cc, connected.credentials);
      assert.equal(again.ok, true);
    });

    it('keeps secrets out of the logs', () => {
      const text = f.logs.text();
      assert.equal(text.includes(CLIENT_SECRET), false);
      assert.doesNotMatch(text, /code_verifier|refresh_token"/);
      assert.ok(text.includes('OAuth authorization completed'));
    });
  });
}
