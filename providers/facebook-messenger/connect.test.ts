// biome-ignore-all lint/suspicious/noExplicitAny: the test reads JSON answers loosely and asserts on their fields
/**
 * Connecting a Facebook Page end to end, as the definition declares it, against the Messenger
 * emulator: the login code gives a short-lived user token, the definition's token exchange
 * trades it for a long-lived one (`fb_exchange_token`), and the Page token is read with that one,
 * so it never expires. The connection's expiry follows the Page token (none), not the user
 * token's 60 days; a Page token Meta refuses (code 190) turns the connection `reauth_required`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MessengerSandbox, startMessengerSandbox } from '../../sandbox/index.ts';
import { listEvents } from '../../src/events/index.ts';
import type { Credentials } from '../../src/ports/connections.ts';
import { connectHeadless } from '../../test/support/connect-flow.ts';
import { type LibraryEngine, ShiftedClock, startLibraryEngine } from '../../test/support/library-engine.ts';

const DAY = 86_400_000;

describe('facebook-messenger connect', () => {
  const clock = new ShiftedClock();
  let harness: LibraryEngine;
  let fb: MessengerSandbox;
  /** An emulator whose login codes give user tokens that are already expired. */
  let stale: MessengerSandbox;
  let environmentId: string;

  async function graph(path: string, query: Record<string, string>) {
    const url = new URL(`${fb.endpoints.graph}${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return (await (await fetch(url)).json()) as Record<string, any>;
  }

  /** debug_token's description of a token, asked with the app token. */
  async function debugToken(token: string): Promise<Record<string, any>> {
    const answer = await graph('/debug_token', {
      input_token: token,
      access_token: `${fb.app.id}|${fb.app.secret}`,
    });
    return answer.data as Record<string, any>;
  }

  async function stored(connectionId: string): Promise<Extract<Credentials, { type: 'oauth2' }>> {
    const context = await harness.engine.services.providers.connections.load(environmentId, connectionId);
    assert.equal(context.credentials.type, 'oauth2');
    return context.credentials as Extract<Credentials, { type: 'oauth2' }>;
  }

  async function addIntegration(key: string, sandbox: MessengerSandbox): Promise<void> {
    const created = await harness.call('POST', '/v1/integrations', {
      key,
      provider: 'facebook-messenger',
      clientId: sandbox.app.id,
      clientSecret: sandbox.app.secret,
      settings: { baseUrls: { '*': sandbox.url } },
    });
    assert.equal(created.status, 201, created.text);
  }

  before(async () => {
    // Role `api`: no worker, so no scheduled job refreshes or sweeps behind the test's back.
    harness = await startLibraryEngine({ config: { role: 'api' }, clock });
    const callback = `${harness.baseUrl}/connect/oauth/callback`;
    // Both sides see the same time, so moving the engine's clock ages Meta's tokens too.
    fb = await startMessengerSandbox({ redirectUris: [callback], clock });
    stale = await startMessengerSandbox({ redirectUris: [callback], clock, shortLivedTokenSeconds: 0 });
    environmentId = (await harness.engine.services.environments.getEnvironmentByName('dev')).id;
    await addIntegration('messenger', fb);
    await addIntegration('messenger-stale', stale);
  });

  after(async () => {
    await harness?.stop();
    await fb?.close();
    await stale?.close();
  });

  it('stores the Page token read with the long-lived user token, and no short-lived token', async () => {
    const routes = { ...fb.stats.byRoute };
    const { connectionId } = await connectHeadless({
      engineUrl: harness.baseUrl,
      apiKey: harness.apiKey,
      integration: 'messenger',
      connectionConfig: { pageId: fb.page.id },
    });
    const calls = (route: string) => (fb.stats.byRoute[route] ?? 0) - (routes[route] ?? 0);
    // The code exchange (a POST form), then fb_exchange_token as Meta documents it (a GET), then
    // the Page read.
    assert.equal(calls('POST /oauth/access_token'), 1);
    assert.equal(calls('GET /oauth/access_token'), 1);
    assert.equal(calls('GET /{page-id}'), 1);

    const credentials = await stored(connectionId);
    assert.deepEqual(Object.keys(credentials).sort(), ['accessToken', 'secrets', 'tokenType', 'type']);
    assert.deepEqual(Object.keys(credentials.secrets ?? {}), ['pageAccessToken']);

    // The user token kept is the long-lived one (debug_token gives `issued_at` only for those)…
    const user = await debugToken(credentials.accessToken);
    assert.equal(user.type, 'USER');
    assert.equal(user.is_valid, true);
    assert.equal(typeof user.issued_at, 'number');
    // Issued during the connect above: 60 days from then, which may be a second or two before now.
    const sixtyDaysFromNow = Math.floor(clock.now() / 1000) + 60 * 86_400;
    assert.ok(
      user.expires_at <= sixtyDaysFromNow && user.expires_at >= sixtyDaysFromNow - 5,
      `${user.expires_at}`,
    );
    // …and the Page token was read with it: it never expires.
    const page = await debugToken(credentials.secrets?.pageAccessToken ?? '');
    assert.equal(page.type, 'PAGE');
    assert.equal(page.is_valid, true);
    assert.equal(page.profile_id, fb.page.id);
    assert.equal(page.expires_at, 0);

    // The connection does not expire with the user token.
    const shown = await harness.call('GET', `/v1/connections/${connectionId}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.expiresAt, null);
    assert.deepEqual(shown.body.metadata, { pageName: fb.page.name });
    assert.doesNotMatch(shown.text, /EAA/, 'no token in the API answer');
  });

  it('keeps working past the user token’s 60 days: no expiry, no refresh, no reauth', async () => {
    const { connectionId } = await connectHeadless({
      engineUrl: harness.baseUrl,
      apiKey: harness.apiKey,
      integration: 'messenger',
      endUserId: 'seller-2',
      connectionConfig: { pageId: fb.page.id },
    });
    const before = await stored(connectionId);
    const tokenRequests = () =>
      (fb.stats.byRoute['GET /oauth/access_token'] ?? 0) +
      (fb.stats.byRoute['POST /oauth/access_token'] ?? 0);
    const tokenRequestsBefore = tokenRequests();
    clock.offset += 61 * DAY;
    try {
      assert.equal((await debugToken(before.accessToken)).is_valid, false, 'the user token expired');
      const me = await harness.call('GET', '/proxy/me', undefined, {
        'patchbay-connection-id': connectionId,
      });
      assert.equal(me.status, 200, me.text);
      assert.deepEqual(me.body, { name: fb.page.name, id: fb.page.id });

      const context = await harness.engine.services.providers.refresh.ensureFresh(
        environmentId,
        connectionId,
      );
      assert.equal(context.status, 'active');
      assert.equal(context.expiresAt, null);
      assert.deepEqual(await stored(connectionId), before, 'nothing was refreshed');
      assert.equal(tokenRequests(), tokenRequestsBefore, 'no token request');
    } finally {
      clock.offset = 0;
    }
  });

  it('turns reauth_required, with its event, when Meta refuses the Page token (190)', async () => {
    const { connectionId } = await connectHeadless({
      engineUrl: harness.baseUrl,
      apiKey: harness.apiKey,
      integration: 'messenger',
      endUserId: 'seller-3',
      connectionConfig: { pageId: fb.page.id },
    });
    // The Page's admin changes their password: every token issued so far answers 190/460.
    fb.control.invalidateTokens('password_changed');
    const refused = await harness.call('GET', '/proxy/me', undefined, {
      'patchbay-connection-id': connectionId,
    });
    // The provider's answer passes through unchanged…
    assert.equal(refused.status, 400);
    assert.deepEqual([refused.body.error.code, refused.body.error.error_subcode], [190, 460]);
    // …and the connection now needs its end user.
    const shown = await harness.call('GET', `/v1/connections/${connectionId}`);
    assert.equal(shown.body.status, 'reauth_required');
    assert.equal(shown.body.lastError.code, 'credentials_rejected');
    const events = await listEvents(harness.engine.store.db, environmentId, {
      type: 'connection.reauth_required',
    });
    assert.deepEqual(
      events.map((event) => (event.data as { connectionId?: string }).connectionId),
      [connectionId],
    );
    const graphCalls = fb.stats.requests;
    const again = await harness.call('GET', '/proxy/me', undefined, {
      'patchbay-connection-id': connectionId,
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'connection_reauth_required');
    assert.equal(fb.stats.requests, graphCalls, 'Meta is not asked again');
  });

  it('refuses at the callback, with oauth_exchange_failed, a user token Meta will not make long-lived', async () => {
    const failure = await connectHeadless({
      engineUrl: harness.baseUrl,
      apiKey: harness.apiKey,
      integration: 'messenger-stale',
      endUserId: 'seller-4',
      connectionConfig: { pageId: stale.page.id },
    }).then(
      () => assert.fail('the connect should fail'),
      (error: Error) => error.message,
    );
    assert.match(failure, /^callback: 400 oauth_exchange_failed: /);
    assert.match(failure, /longer-lived/);
    // Meta said why (190/463: the session expired); the Page token was never asked for.
    assert.equal(stale.stats.errors['190/463'], 1);
    assert.equal(stale.stats.byRoute['GET /{page-id}'] ?? 0, 0);
    const listed = await harness.call('GET', '/v1/connections?endUserId=seller-4');
    assert.deepEqual(listed.body.data, []);
  });
});
