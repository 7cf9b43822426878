/**
 * Facebook Login against the emulator: dialog → code → short-lived User token → long-lived User
 * token → Page token, debug_token's descriptions, and the documented refusals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MessengerSandbox, startMessengerSandbox } from './server.ts';
import { DAY, graph, graphError, login, openDialog, REDIRECT_URI, TestClock } from './test-helpers.ts';

describe('Facebook Login on the Messenger sandbox', () => {
  let fb: MessengerSandbox;
  const clock = new TestClock();

  before(async () => {
    fb = await startMessengerSandbox({ redirectUris: [REDIRECT_URI], clock });
  });
  after(() => fb.close());

  it('chains login, fb_exchange_token and the Page token, which then never expires', async () => {
    const dialog = await openDialog(fb, {
      client_id: fb.app.id,
      redirect_uri: REDIRECT_URI,
      state: 'xyz',
      scope: 'pages_messaging,pages_show_list,pages_manage_metadata',
    });
    assert.equal(dialog.status, 302);
    const location = new URL(dialog.headers.get('location') as string);
    assert.equal(location.origin + location.pathname, REDIRECT_URI);
    assert.equal(location.searchParams.get('state'), 'xyz');
    const code = location.searchParams.get('code') as string;

    // Graph takes the exchange as a GET with query parameters or a POST form alike.
    const short = await graph(fb, 'POST', '/oauth/access_token', {
      form: { client_id: fb.app.id, client_secret: fb.app.secret, redirect_uri: REDIRECT_URI, code },
    });
    assert.equal(short.status, 200);
    assert.deepEqual(Object.keys(short.body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(short.body.token_type, 'bearer');
    assert.ok((short.body.expires_in as number) >= 3600 && (short.body.expires_in as number) <= 7200);
    assert.match(short.body.access_token as string, /^EAA[A-Za-z0-9]+$/);

    const long = await graph(fb, 'GET', '/oauth/access_token', {
      query: {
        grant_type: 'fb_exchange_token',
        client_id: fb.app.id,
        client_secret: fb.app.secret,
        fb_exchange_token: short.body.access_token as string,
      },
    });
    assert.equal(long.status, 200);
    assert.equal(long.body.expires_in, 60 * 86_400);
    const userToken = long.body.access_token as string;

    const accounts = await graph(fb, 'GET', '/me/accounts', { token: userToken });
    assert.equal(accounts.status, 200);
    const [listed, ...others] = accounts.body.data as Array<Record<string, unknown>>;
    assert.equal(others.length, 0);
    assert.equal(listed?.id, fb.page.id);
    assert.equal(listed?.name, fb.page.name);
    assert.ok((listed?.tasks as string[] | undefined)?.includes('MESSAGING'));

    // What the provider definition's connection-metadata request asks for.
    const page = await graph(fb, 'GET', `/${fb.page.id}`, {
      token: userToken,
      query: { fields: 'access_token,name' },
    });
    assert.equal(page.status, 200);
    assert.deepEqual(Object.keys(page.body).sort(), ['access_token', 'id', 'name']);
    const pageToken = page.body.access_token as string;

    const debug = await graph(fb, 'GET', '/debug_token', {
      query: { input_token: pageToken, access_token: `${fb.app.id}|${fb.app.secret}` },
    });
    const data = debug.body.data as Record<string, unknown>;
    assert.equal(data.type, 'PAGE');
    assert.equal(data.app_id, fb.app.id);
    assert.equal(data.profile_id, fb.page.id);
    assert.equal(data.user_id, fb.user.id);
    assert.equal(data.is_valid, true);
    assert.equal(data.expires_at, 0);
    assert.deepEqual(data.scopes, [
      'public_profile',
      'pages_messaging',
      'pages_show_list',
      'pages_manage_metadata',
    ]);

    clock.advance(365 * DAY);
    const me = await graph(fb, 'GET', '/me', { token: pageToken });
    assert.deepEqual(me.body, { name: fb.page.name, id: fb.page.id });
    const user = await graph(fb, 'GET', '/me', { token: userToken });
    assert.equal(
      graphError(user).error_subcode,
      463,
      'the long-lived User token itself expired after 60 days',
    );
  });

  it('redirects a cancelled login with the documented error parameters', async () => {
    fb.control.denyNextLogin();
    const dialog = await openDialog(fb, { client_id: fb.app.id, redirect_uri: REDIRECT_URI, state: 's1' });
    const params = new URL(dialog.headers.get('location') as string).searchParams;
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('error_reason'), 'user_denied');
    assert.equal(params.get('error_description'), 'Permissions error.');
    assert.equal(params.get('state'), 's1');
    assert.equal(params.get('code'), null);
  });

  it('shows an error page for an unknown app or an unregistered redirect URI', async () => {
    const unknownApp = await openDialog(fb, { client_id: '1', redirect_uri: REDIRECT_URI });
    assert.equal(unknownApp.status, 400);
    assert.match(await unknownApp.text(), /Invalid App ID/);
    const blocked = await openDialog(fb, {
      client_id: fb.app.id,
      redirect_uri: 'http://127.0.0.1:4400/other',
    });
    assert.equal(blocked.status, 400);
    assert.equal(blocked.headers.get('location'), null);
    assert.match(await blocked.text(), /URL blocked/);
  });

  it('refuses a reused code (36009), a different redirect_uri (36008) and a wrong secret', async () => {
    const dialog = await openDialog(fb, { client_id: fb.app.id, redirect_uri: REDIRECT_URI });
    const code = new URL(dialog.headers.get('location') as string).searchParams.get('code') as string;
    const exchange = (query: Record<string, string>) =>
      graph(fb, 'GET', '/oauth/access_token', {
        query: {
          client_id: fb.app.id,
          client_secret: fb.app.secret,
          redirect_uri: REDIRECT_URI,
          code,
          ...query,
        },
      });

    const mismatch = await exchange({ redirect_uri: `${REDIRECT_URI}/x` });
    assert.equal(mismatch.status, 400);
    assert.deepEqual(
      [graphError(mismatch).type, graphError(mismatch).code, graphError(mismatch).error_subcode],
      ['OAuthException', 100, 36008],
    );
    const secret = await exchange({ client_secret: 'nope' });
    assert.equal(graphError(secret).code, 1);
    assert.equal((await exchange({})).status, 200);
    const reused = await exchange({});
    assert.equal(graphError(reused).error_subcode, 36009);
    assert.equal(graphError(reused).message, 'This authorization code has been used.');
    assert.match(graphError(reused).fbtrace_id as string, /^[A-Za-z0-9]{11}$/);
  });

  it('derives a Page token from a short-lived User token that expires with it', async () => {
    const shortToken = await login(fb);
    const page = await graph(fb, 'GET', `/${fb.page.id}`, {
      token: shortToken,
      query: { fields: 'access_token' },
    });
    const pageToken = page.body.access_token as string;
    const debug = await graph(fb, 'GET', '/debug_token', {
      query: { input_token: pageToken, access_token: `${fb.app.id}|${fb.app.secret}` },
    });
    assert.notEqual((debug.body.data as Record<string, unknown>).expires_at, 0);

    clock.advance(2 * 3_600_000);
    const send = await graph(fb, 'POST', '/me/messages', { token: pageToken, json: {} });
    assert.equal(send.status, 400);
    assert.deepEqual([graphError(send).code, graphError(send).error_subcode], [190, 463]);
    assert.match(
      graphError(send).message as string,
      /^Error validating access token: Session has expired on /,
    );
    assert.match(send.headers.get('www-authenticate') ?? '', /^OAuth "Facebook Platform" "invalid_token"/);
    const exchange = await graph(fb, 'GET', '/oauth/access_token', {
      query: {
        grant_type: 'fb_exchange_token',
        client_id: fb.app.id,
        client_secret: fb.app.secret,
        fb_exchange_token: shortToken,
      },
    });
    assert.equal(graphError(exchange).error_subcode, 463, 'an expired token cannot be made long-lived');
  });

  it('describes tokens with debug_token, invalid ones included', async () => {
    const token = await login(fb);
    const appToken = `${fb.app.id}|${fb.app.secret}`;
    const valid = await graph(fb, 'GET', '/debug_token', {
      query: { input_token: token, access_token: appToken },
    });
    const data = valid.body.data as Record<string, unknown>;
    assert.equal(data.type, 'USER');
    assert.equal(data.is_valid, true);
    assert.equal(data.expires_at, Math.floor(clock.now() / 1000) + 5400);
    assert.equal(typeof data.data_access_expires_at, 'number');
    assert.deepEqual(data.granular_scopes, [
      { scope: 'pages_messaging', target_ids: [fb.page.id] },
      { scope: 'pages_show_list', target_ids: [fb.page.id] },
    ]);

    const unknown = await graph(fb, 'GET', '/debug_token', {
      query: { input_token: 'EAAnope', access_token: appToken },
    });
    assert.deepEqual(unknown.body, {
      data: { error: { code: 190, message: 'Invalid OAuth access token.' }, is_valid: false, scopes: [] },
    });
    const noAppToken = await graph(fb, 'GET', '/debug_token', { query: { input_token: token } });
    assert.equal(graphError(noAppToken).code, 100);
  });

  it('revokes the app with DELETE /me/permissions: every token then answers 190/458', async () => {
    const userToken = await login(fb);
    const page = await graph(fb, 'GET', `/${fb.page.id}`, {
      token: userToken,
      query: { fields: 'access_token' },
    });
    const revoke = await graph(fb, 'DELETE', '/me/permissions', { token: userToken });
    assert.deepEqual(revoke.body, { success: true });
    for (const token of [userToken, page.body.access_token as string]) {
      const me = await graph(fb, 'GET', '/me', { token });
      assert.deepEqual([graphError(me).code, graphError(me).error_subcode], [190, 458]);
      assert.equal(
        graphError(me).message,
        `Error validating access token: User ${fb.user.id} has not authorized application ${fb.app.id}.`,
      );
    }
    // Logging in again authorizes the app again.
    const again = await login(fb);
    assert.equal((await graph(fb, 'GET', '/me', { token: again })).status, 200);
  });

  it('accepts any Graph version prefix, and none', async () => {
    const token = await login(fb);
    for (const path of ['/v19.0/me', '/v25.0/me', '/me']) {
      const answer = await fetch(`${fb.url}${path}`, { headers: { authorization: `OAuth ${token}` } });
      assert.equal(answer.status, 200, path);
    }
    const noToken = await graph(fb, 'GET', '/me');
    assert.equal(graphError(noToken).code, 2500);
  });
});
