import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ManualClock } from '../../src/clock/index.ts';
import { type OAuthSandboxOptions, startOAuthSandbox } from './server.ts';
import {
  api,
  authorize,
  authorizeCode,
  CLIENT,
  exchangeCode,
  pkcePair,
  postForm,
  REDIRECT_URI,
  token,
} from './test-client.ts';

async function start(t: TestContext, options: OAuthSandboxOptions = {}) {
  const sandbox = await startOAuthSandbox({ clients: [CLIENT], ...options });
  t.after(() => sandbox.close());
  return sandbox;
}

function redirectParams(res: Response): URLSearchParams {
  const location = res.headers.get('location');
  assert.ok(location, `expected a redirect, got ${res.status}`);
  assert.ok(location.startsWith(`${REDIRECT_URI}?`), location);
  return new URL(location).searchParams;
}

test('authorization code with PKCE: code and state at the redirect URI, tokens, then the API', async (t) => {
  const sandbox = await start(t);
  const { verifier, challenge } = pkcePair();
  const res = await authorize(sandbox, {
    response_type: 'code',
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    state: 'state-123',
    scope: 'read write',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  assert.equal(res.status, 302);
  const params = redirectParams(res);
  assert.equal(params.get('state'), 'state-123');
  const code = params.get('code');
  assert.ok(code);

  const answer = await token(sandbox, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  assert.equal(answer.body.token_type, 'Bearer');
  assert.equal(answer.body.expires_in, 3600);
  assert.equal(answer.body.scope, 'read write');
  assert.equal(typeof answer.body.access_token, 'string');
  assert.equal(typeof answer.body.refresh_token, 'string');

  const me = await api(sandbox, 'me', answer.body.access_token as string);
  assert.equal(me.status, 200);
  assert.equal(me.body.subject, 'sandbox-user');
  assert.equal(me.body.client_id, CLIENT.clientId);
  assert.equal(me.body.scope, 'read write');
  assert.equal(me.body.grant_type, 'authorization_code');
});

test('PKCE: a wrong or missing verifier is invalid_grant and does not use up the code', async (t) => {
  const sandbox = await start(t);
  const { code, verifier } = await authorizeCode(sandbox);
  const base = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI };

  const wrong = await token(sandbox, { ...base, code_verifier: pkcePair().verifier });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error, 'invalid_grant');
  assert.match(String(wrong.body.error_description), /code_verifier/);
  const missing = await token(sandbox, base);
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error, 'invalid_grant');

  const right = await token(sandbox, { ...base, code_verifier: verifier });
  assert.equal(right.status, 200);
});

test('PKCE: a verifier for a code issued without a challenge is refused (downgrade)', async (t) => {
  const sandbox = await start(t);
  const res = await authorize(sandbox, {
    response_type: 'code',
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
  });
  const code = redirectParams(res).get('code') as string;
  const answer = await token(sandbox, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: pkcePair().verifier,
  });
  assert.equal(answer.body.error, 'invalid_grant');
});

test('a replayed code is invalid_grant and revokes the tokens the first use issued', async (t) => {
  const sandbox = await start(t);
  const { code, verifier } = await authorizeCode(sandbox);
  const form = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  };
  const first = await token(sandbox, form);
  assert.equal(first.status, 200);
  const replay = await token(sandbox, form);
  assert.equal(replay.status, 400);
  assert.equal(replay.body.error, 'invalid_grant');
  assert.equal((await api(sandbox, 'me', first.body.access_token as string)).status, 401);
  const refresh = await token(sandbox, {
    grant_type: 'refresh_token',
    refresh_token: first.body.refresh_token as string,
  });
  assert.equal(refresh.body.error, 'invalid_grant');
});

test('redirect URIs: exact match at authorization, and the same one at the token endpoint', async (t) => {
  const sandbox = await start(t);
  const base = { response_type: 'code', client_id: CLIENT.clientId, state: 's' };
  // Not registered (even a trailing slash differs): shown, never redirected.
  const unregistered = await authorize(sandbox, { ...base, redirect_uri: `${REDIRECT_URI}/` });
  assert.equal(unregistered.status, 400);
  assert.equal(unregistered.headers.get('location'), null);
  assert.equal(((await unregistered.json()) as { error: string }).error, 'invalid_request');
  // Omitted while the client registered two: refused too.
  assert.equal((await authorize(sandbox, base)).status, 400);

  const { code, verifier } = await authorizeCode(sandbox);
  const mismatch = await token(sandbox, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: CLIENT.redirectUris[1] as string,
    code_verifier: verifier,
  });
  assert.equal(mismatch.body.error, 'invalid_grant');
  const omitted = await token(sandbox, { grant_type: 'authorization_code', code, code_verifier: verifier });
  assert.equal(omitted.body.error, 'invalid_request');
});

test('authorization errors go back to the client with error and state (RFC 6749 §4.1.2.1)', async (t) => {
  const sandbox = await start(t, { scopes: ['read', 'write'], requirePkce: true });
  const base = { client_id: CLIENT.clientId, redirect_uri: REDIRECT_URI, state: 'keep-me' };
  const { challenge } = pkcePair();
  const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };
  const cases: Array<[Record<string, string>, string]> = [
    [{ response_type: 'token', ...pkce }, 'unsupported_response_type'],
    [{ ...pkce }, 'invalid_request'],
    [{ response_type: 'code' }, 'invalid_request'],
    [{ response_type: 'code', code_challenge: challenge }, 'invalid_request'],
    [{ response_type: 'code', code_challenge: challenge, code_challenge_method: 'plain' }, 'invalid_request'],
    [{ response_type: 'code', scope: 'read admin', ...pkce }, 'invalid_scope'],
  ];
  for (const [params, error] of cases) {
    const res = await authorize(sandbox, { ...base, ...params });
    assert.equal(res.status, 302, JSON.stringify(params));
    const answer = redirectParams(res);
    assert.equal(answer.get('error'), error, JSON.stringify(params));
    assert.equal(answer.get('state'), 'keep-me');
    assert.equal(answer.get('code'), null);
  }

  sandbox.control.denyNext();
  const denied = redirectParams(await authorize(sandbox, { ...base, response_type: 'code', ...pkce }));
  assert.equal(denied.get('error'), 'access_denied');
  assert.equal(denied.get('state'), 'keep-me');
  const next = redirectParams(await authorize(sandbox, { ...base, response_type: 'code', ...pkce }));
  assert.ok(next.get('code'));

  const unknown = await authorize(sandbox, { ...base, client_id: 'nobody', response_type: 'code' });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.headers.get('location'), null);
});

test('interactive mode: a consent page whose Approve button completes the redirect', async (t) => {
  const sandbox = await start(t, { interactive: true });
  const { challenge } = pkcePair();
  const page = await authorize(sandbox, {
    response_type: 'code',
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<button type="submit" name="decision" value="approve">Approve<\/button>/);
  const transaction = /name="transaction" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(transaction);

  const decide = (decision: string) =>
    fetch(new URL('/oauth/authorize/decision', sandbox.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ transaction, decision }),
    });
  const approved = await decide('approve');
  assert.equal(approved.status, 303);
  const params = redirectParams(approved);
  assert.ok(params.get('code'));
  assert.equal(params.get('state'), 'st');
  // The consent is single use.
  assert.equal((await decide('approve')).status, 400);
});

test('refresh without rotation: no new refresh token, the same one keeps working', async (t) => {
  const sandbox = await start(t);
  const first = await exchangeCode(sandbox);
  const refresh = { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string };
  const a = await token(sandbox, refresh);
  assert.equal(a.status, 200);
  assert.equal(a.body.refresh_token, undefined);
  assert.notEqual(a.body.access_token, first.body.access_token);
  assert.equal((await token(sandbox, refresh)).status, 200);
  // Narrowing is allowed, widening is not.
  assert.equal((await token(sandbox, { ...refresh, scope: 'read' })).body.scope, 'read');
  assert.equal((await token(sandbox, { ...refresh, scope: 'admin' })).body.error, 'invalid_scope');
});

test('rotating refresh tokens: each refresh returns a new one and the old one is refused', async (t) => {
  const sandbox = await start(t, { rotateRefreshTokens: true });
  const first = await exchangeCode(sandbox);
  const oldRefresh = first.body.refresh_token as string;
  const second = await token(sandbox, { grant_type: 'refresh_token', refresh_token: oldRefresh });
  assert.equal(second.status, 200);
  const newRefresh = second.body.refresh_token as string;
  assert.equal(typeof newRefresh, 'string');
  assert.notEqual(newRefresh, oldRefresh);

  const reuse = await token(sandbox, { grant_type: 'refresh_token', refresh_token: oldRefresh });
  assert.equal(reuse.status, 400);
  assert.equal(reuse.body.error, 'invalid_grant');
  // Without reuse detection the new token still works.
  const third = await token(sandbox, { grant_type: 'refresh_token', refresh_token: newRefresh });
  assert.equal(third.status, 200);
  assert.equal((await api(sandbox, 'me', third.body.access_token as string)).status, 200);
});

test('rotating with reuse detection: replaying an old refresh token revokes the grant', async (t) => {
  const sandbox = await start(t, { rotateRefreshTokens: true, revokeGrantOnRefreshTokenReuse: true });
  const first = await exchangeCode(sandbox);
  const second = await token(sandbox, {
    grant_type: 'refresh_token',
    refresh_token: first.body.refresh_token as string,
  });
  const reuse = await token(sandbox, {
    grant_type: 'refresh_token',
    refresh_token: first.body.refresh_token as string,
  });
  assert.equal(reuse.body.error, 'invalid_grant');
  const after = await token(sandbox, {
    grant_type: 'refresh_token',
    refresh_token: second.body.refresh_token as string,
  });
  assert.equal(after.body.error, 'invalid_grant');
  assert.equal((await api(sandbox, 'me', second.body.access_token as string)).status, 401);
});

test('revocation (RFC 7009) revokes the whole grant: refresh is invalid_grant, the API answers 401', async (t) => {
  const sandbox = await start(t);
  const tokens = await exchangeCode(sandbox);
  const revoked = await postForm(
    sandbox.endpoints.revoke,
    { token: tokens.body.refresh_token as string, token_type_hint: 'access_token' },
    'basic',
  );
  assert.equal(revoked.status, 200);
  const refresh = await token(sandbox, {
    grant_type: 'refresh_token',
    refresh_token: tokens.body.refresh_token as string,
  });
  assert.equal(refresh.status, 400);
  assert.equal(refresh.body.error, 'invalid_grant');
  const me = await api(sandbox, 'me', tokens.body.access_token as string);
  assert.equal(me.status, 401);
  assert.match(me.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/);
  assert.equal(me.body.error, 'invalid_token');

  // Unknown tokens are answered 200; unauthenticated revocation is not.
  assert.equal((await postForm(sandbox.endpoints.revoke, { token: 'no-such-token' })).status, 200);
  assert.equal((await postForm(sandbox.endpoints.revoke, { token: 'x' }, 'none')).status, 401);
});

test('clients need an id, a secret and absolute redirect URIs without fragment', async (t) => {
  const sandbox = await start(t);
  const add = (redirectUris: string[], clientSecret = 's') =>
    sandbox.control.addClient({ clientId: 'c', clientSecret, redirectUris });
  assert.throws(() => add(['/relative']), /absolute URL/);
  assert.throws(() => add(['http://127.0.0.1/cb#frag']), /fragment/);
  assert.throws(() => add(['http://127.0.0.1/cb'], ''), /secret/);
  add(['http://127.0.0.1/cb?keep=1']);
  const res = await authorize(sandbox, { response_type: 'code', client_id: 'c', state: 'x' });
  const location = new URL(res.headers.get('location') ?? '');
  assert.equal(location.searchParams.get('keep'), '1');
  assert.ok(location.searchParams.get('code'));
});

test('a client cannot revoke another client’s token; revokeAll ends every grant', async (t) => {
  const other = { clientId: 'other', clientSecret: 'other-secret', redirectUris: ['http://127.0.0.1:9/cb'] };
  const sandbox = await start(t);
  sandbox.control.addClient(other);
  const tokens = await exchangeCode(sandbox);
  const foreign = await postForm(
    sandbox.endpoints.revoke,
    { token: tokens.body.access_token as string },
    'post',
    other,
  );
  assert.equal(foreign.status, 400);
  assert.equal((await api(sandbox, 'me', tokens.body.access_token as string)).status, 200);

  const machine = await postForm(
    sandbox.endpoints.token,
    { grant_type: 'client_credentials' },
    'post',
    other,
  );
  sandbox.control.revokeAll();
  assert.equal((await api(sandbox, 'me', tokens.body.access_token as string)).status, 401);
  assert.equal((await api(sandbox, 'me', machine.body.access_token as string)).status, 401);
});

test('expiry follows the injected clock: access tokens and authorization codes', async (t) => {
  const clock = new ManualClock();
  const sandbox = await start(t, { clock, accessTokenTtlSeconds: 60, authorizationCodeTtlSeconds: 30 });
  const tokens = await exchangeCode(sandbox);
  assert.equal(tokens.body.expires_in, 60);
  const accessToken = tokens.body.access_token as string;

  clock.advance(59_999);
  assert.equal((await api(sandbox, 'me', accessToken)).status, 200);
  clock.advance(1);
  const expired = await api(sandbox, 'me', accessToken);
  assert.equal(expired.status, 401);
  assert.match(String(expired.body.error_description), /expired/);

  const refreshed = await token(sandbox, {
    grant_type: 'refresh_token',
    refresh_token: tokens.body.refresh_token as string,
  });
  assert.equal((await api(sandbox, 'me', refreshed.body.access_token as string)).status, 200);

  const { code, verifier } = await authorizeCode(sandbox);
  clock.advance(30_000);
  const late = await token(sandbox, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  assert.equal(late.body.error, 'invalid_grant');
});

test('control: expireAccessTokens and setAccessTokenTtl', async (t) => {
  const sandbox = await start(t);
  const tokens = await exchangeCode(sandbox);
  sandbox.control.expireAccessTokens();
  assert.equal((await api(sandbox, 'me', tokens.body.access_token as string)).status, 401);

  sandbox.control.setAccessTokenTtl(5);
  const short = await token(sandbox, {
    grant_type: 'refresh_token',
    refresh_token: tokens.body.refresh_token as string,
  });
  assert.equal(short.body.expires_in, 5);
  sandbox.control.setAccessTokenTtl(null);
  const forever = await token(sandbox, {
    grant_type: 'refresh_token',
    refresh_token: tokens.body.refresh_token as string,
  });
  assert.equal(forever.status, 200);
  assert.equal('expires_in' in forever.body, false);
  const me = await api(sandbox, 'me', forever.body.access_token as string);
  assert.equal(me.body.expires_at, null);
});

test('client credentials: a token without refresh token, for the client itself', async (t) => {
  const sandbox = await start(t, { defaultScopes: ['read'] });
  const answer = await token(sandbox, { grant_type: 'client_credentials' }, 'basic');
  assert.equal(answer.status, 200);
  assert.equal(answer.body.refresh_token, undefined);
  assert.equal(answer.body.scope, 'read');
  const me = await api(sandbox, 'me', answer.body.access_token as string);
  assert.equal(me.body.subject, `client:${CLIENT.clientId}`);
  assert.equal(me.body.grant_type, 'client_credentials');
  assert.equal(sandbox.stats.token.client_credentials, 1);
});

test('client authentication: Basic and post both work; wrong, missing or doubled credentials do not', async (t) => {
  const sandbox = await start(t);
  const cc = { grant_type: 'client_credentials' };
  assert.equal((await token(sandbox, cc, 'basic')).status, 200);
  assert.equal((await token(sandbox, cc, 'post')).status, 200);

  const wrong = { clientId: CLIENT.clientId, clientSecret: 'not-it' };
  const basicWrong = await postForm(sandbox.endpoints.token, cc, 'basic', wrong);
  assert.equal(basicWrong.status, 401);
  assert.equal(basicWrong.body.error, 'invalid_client');
  assert.match(basicWrong.headers.get('www-authenticate') ?? '', /^Basic /);
  const postWrong = await postForm(sandbox.endpoints.token, cc, 'post', wrong);
  assert.equal(postWrong.status, 401);
  assert.equal(postWrong.body.error, 'invalid_client');
  const unknown = await postForm(sandbox.endpoints.token, cc, 'post', {
    clientId: 'nobody',
    clientSecret: 'x',
  });
  assert.equal(unknown.status, 401);
  assert.equal((await token(sandbox, cc, 'none')).status, 401);
  const both = await token(sandbox, { ...cc, client_secret: CLIENT.clientSecret }, 'basic');
  assert.equal(both.status, 400);
  assert.equal(both.body.error, 'invalid_request');
  // The secret never comes back in an error.
  assert.doesNotMatch(JSON.stringify([basicWrong.body, postWrong.body, both.body]), /test-secret/);
});

test('token endpoint: bad requests get RFC 6749 §5.2 errors', async (t) => {
  const sandbox = await start(t);
  assert.equal((await token(sandbox, {})).body.error, 'invalid_request');
  assert.equal((await token(sandbox, { grant_type: 'password' })).body.error, 'unsupported_grant_type');
  const json = await fetch(sandbox.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  assert.equal(json.status, 400);
  assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
  const forged = await token(sandbox, {
    grant_type: 'authorization_code',
    code: 'forged',
    redirect_uri: REDIRECT_URI,
  });
  assert.equal(forged.body.error, 'invalid_grant');
});

test('failTokenRequests: 429 with Retry-After, then 503, then normal again; the code survives', async (t) => {
  const sandbox = await start(t);
  const { code, verifier } = await authorizeCode(sandbox);
  const form = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  };

  sandbox.control.failTokenRequests(2, 429, { retryAfterSeconds: 7 });
  for (let i = 0; i < 2; i++) {
    const limited = await token(sandbox, form);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
  }
  sandbox.control.failTokenRequests(1, 503);
  const unavailable = await token(sandbox, form);
  assert.equal(unavailable.status, 503);
  assert.equal(unavailable.headers.get('retry-after'), null);
  assert.equal(unavailable.body.error, 'temporarily_unavailable');

  assert.equal((await token(sandbox, form)).status, 200);
  assert.equal(sandbox.stats.tooManyRequests, 2);
  assert.equal(sandbox.stats.injectedFailures, 3);
  assert.equal(sandbox.stats.token.authorization_code, 4);
  assert.equal(sandbox.stats.tokenErrors, 3);
});

test('failTokenRequests with reset drops the connection', async (t) => {
  const sandbox = await start(t);
  sandbox.control.failTokenRequests(1, 'reset');
  await assert.rejects(token(sandbox, { grant_type: 'client_credentials' }));
  assert.equal((await token(sandbox, { grant_type: 'client_credentials' })).status, 200);
});

test('delayTokenResponses holds concurrent token requests and they all complete', async (t) => {
  const sandbox = await start(t);
  sandbox.control.delayTokenResponses(50);
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => token(sandbox, { grant_type: 'client_credentials' })),
  );
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200, 200, 200],
  );
  sandbox.control.delayTokenResponses(0);
});

test('metadata document (RFC 8414) names the endpoints', async (t) => {
  const sandbox = await start(t);
  const doc = (await (await fetch(sandbox.endpoints.metadata)).json()) as Record<string, unknown>;
  assert.equal(doc.issuer, sandbox.url);
  assert.equal(doc.token_endpoint, `${sandbox.url}/oauth/token`);
  assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
});

test('stats count each endpoint and reset to zero', async (t) => {
  const sandbox = await start(t);
  const tokens = await exchangeCode(sandbox);
  await token(sandbox, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string });
  await token(sandbox, { grant_type: 'client_credentials' });
  await postForm(sandbox.endpoints.revoke, { token: tokens.body.access_token as string });
  await api(sandbox, 'me', tokens.body.access_token as string);
  await api(sandbox, 'echo');
  const { stats } = sandbox;
  assert.equal(stats.authorize, 1);
  assert.deepEqual(
    { ...stats.token },
    { total: 3, authorization_code: 1, refresh_token: 1, client_credentials: 1, other: 0 },
  );
  assert.equal(stats.revoke, 1);
  assert.equal(stats.api.total, 2);
  assert.equal(stats.api.unauthorized, 1);
  assert.equal(stats.api.accepted, 1);
  assert.deepEqual(stats.api.byPath, { '/api/echo': 1 });

  stats.reset();
  assert.equal(stats.authorize, 0);
  assert.equal(stats.token.total, 0);
  assert.equal(stats.api.total, 0);
  assert.deepEqual(stats.api.byPath, {});
  assert.equal(stats.acceptedApiRequests.length, 0);
});
