/**
 * Interoperability: oauth4webapi, the engine's OAuth client, accepts what the sandbox answers.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import * as oauth from 'oauth4webapi';
import { startOAuthSandbox } from './server.ts';
import { CLIENT, REDIRECT_URI } from './test-client.ts';

const insecure = { [oauth.allowInsecureRequests]: true };

async function setup(t: TestContext) {
  const sandbox = await startOAuthSandbox({ clients: [CLIENT], rotateRefreshTokens: true });
  t.after(() => sandbox.close());
  const issuer = new URL(sandbox.url);
  const as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
  );
  const client: oauth.Client = { client_id: CLIENT.clientId };
  return { sandbox, as, client };
}

test('oauth4webapi: code + PKCE, rotating refresh and revocation against the sandbox', async (t) => {
  const { sandbox, as, client } = await setup(t);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorizationUrl = new URL(as.authorization_endpoint as string);
  authorizationUrl.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    scope: 'read',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  const redirect = await fetch(authorizationUrl, { redirect: 'manual' });
  const callback = new URL(redirect.headers.get('location') as string);

  const params = oauth.validateAuthResponse(as, client, callback, state);
  const basic = oauth.ClientSecretBasic(CLIENT.clientSecret);
  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(as, client, basic, params, REDIRECT_URI, verifier, insecure),
  );
  assert.equal(tokens.token_type, 'bearer');
  assert.equal(tokens.expires_in, 3600);
  assert.ok(tokens.refresh_token);

  const me = await oauth.protectedResourceRequest(
    tokens.access_token,
    'GET',
    new URL('/api/me', sandbox.url),
    undefined,
    undefined,
    insecure,
  );
  assert.equal(((await me.json()) as { scope: string }).scope, 'read');

  const post = oauth.ClientSecretPost(CLIENT.clientSecret);
  const refreshed = await oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(as, client, post, tokens.refresh_token, insecure),
  );
  assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);

  const reuse = oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(as, client, post, tokens.refresh_token, insecure),
  );
  await assert.rejects(
    reuse,
    (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
  );

  await oauth.processRevocationResponse(
    await oauth.revocationRequest(as, client, basic, refreshed.refresh_token as string, insecure),
  );
  const afterRevoke = oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(as, client, post, refreshed.refresh_token as string, insecure),
  );
  await assert.rejects(
    afterRevoke,
    (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
  );

  const rejected = oauth.protectedResourceRequest(
    refreshed.access_token,
    'GET',
    new URL('/api/me', sandbox.url),
    undefined,
    undefined,
    insecure,
  );
  await assert.rejects(rejected, (error: unknown) => {
    assert.ok(error instanceof oauth.WWWAuthenticateChallengeError);
    assert.equal(error.cause[0]?.parameters.error, 'invalid_token');
    return true;
  });
});

test('oauth4webapi: client credentials', async (t) => {
  const { as, client } = await setup(t);
  const tokens = await oauth.processClientCredentialsResponse(
    as,
    client,
    await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(CLIENT.clientSecret),
      { scope: 'read' },
      insecure,
    ),
  );
  assert.equal(tokens.scope, 'read');
  assert.equal(tokens.refresh_token, undefined);
});
