/**
 * Contract with the official SDK, part 4: Connect OAuth — the authorize redirect, the code and
 * refresh-token exchanges through `stripe.oauth.token`, the access token as a key of the
 * connected account, and `stripe.oauth.deauthorize` with its `account.application.deauthorized`
 * event; OAuth errors surface as the SDK's OAuth error classes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from './server.ts';
import { ManualClock, type Receiver, sdk, startReceiver } from './test-client.ts';

const REDIRECT = 'http://127.0.0.1:4400/connect/oauth/callback';

describe('contract: Connect OAuth', () => {
  let sandbox: StripeSandbox;
  let stripe: Stripe;
  let receiver: Receiver;
  const clock = new ManualClock(Date.UTC(2026, 4, 1));

  before(async () => {
    sandbox = await startStripeSandbox({
      clock,
      rateLimit: false,
      accounts: [{ redirectUris: [REDIRECT], name: 'Patchbay Demo' }],
    });
    stripe = sdk(sandbox);
    stripe.setClientId(sandbox.platform.clientId);
    receiver = await startReceiver();
  });
  after(async () => {
    await sandbox.close();
    await receiver.close();
  });

  /** Follows the SDK's authorize URL (its origin replaced by the emulator's) to the redirect. */
  async function authorize(params: Stripe.OAuthAuthorizeUrlParams): Promise<URL> {
    const url = new URL(stripe.oauth.authorizeUrl(params));
    const res = await fetch(`${sandbox.url}${url.pathname}${url.search}`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    return new URL(String(res.headers.get('location')));
  }

  it('connects an account: authorize, exchange the code, use the token', async () => {
    const back = await authorize({
      redirect_uri: REDIRECT,
      scope: 'read_write',
      state: 'csrf-1',
      stripe_user: { email: 'owner@shop.example', business_name: 'Shop' },
    });
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    assert.equal(back.searchParams.get('state'), 'csrf-1');
    assert.equal(back.searchParams.get('scope'), 'read_write');
    const code = String(back.searchParams.get('code'));
    assert.match(code, /^ac_/);

    const token = await stripe.oauth.token({ grant_type: 'authorization_code', code });
    assert.equal(token.token_type, 'bearer');
    assert.equal(token.livemode, false);
    assert.equal(token.scope, 'read_write');
    assert.match(String(token.access_token), /^sk_test_/);
    assert.match(String(token.refresh_token), /^rt_/);
    assert.match(String(token.stripe_publishable_key), /^pk_test_/);
    const accountId = String(token.stripe_user_id);
    assert.match(accountId, /^acct_/);

    const account = await stripe.accounts.retrieveCurrent({}, { stripeAccount: accountId });
    assert.equal(account.email, 'owner@shop.example');
    assert.equal(account.business_profile?.name, 'Shop');
    const customer = await sdk(sandbox, String(token.access_token)).customers.create({
      email: 'c@shop.example',
    });
    assert.equal(
      (await stripe.customers.retrieve(customer.id, {}, { stripeAccount: accountId })).id,
      customer.id,
    );
    const authorized = await stripe.events.list({}, { stripeAccount: accountId });
    assert.equal(authorized.data.at(-1)?.type, 'account.application.authorized');

    await assert.rejects(stripe.oauth.token({ grant_type: 'authorization_code', code }), (error: unknown) => {
      assert.ok(error instanceof Stripe.errors.StripeInvalidGrantError);
      assert.match(error.message, /already been used/);
      return true;
    });
  });

  it('refreshes the access token (the old one stops working) and accepts client_secret in the body', async () => {
    const code = String(
      (await authorize({ redirect_uri: REDIRECT, scope: 'read_write' })).searchParams.get('code'),
    );
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      client_id: sandbox.platform.clientId,
      client_secret: sandbox.platform.secretKey,
    });
    const res = await fetch(`${sandbox.url}/oauth/token`, { method: 'POST', body });
    assert.equal(res.status, 200);
    const first = (await res.json()) as {
      access_token: string;
      refresh_token: string;
      stripe_user_id: string;
    };
    const rolled = await stripe.oauth.token({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    });
    assert.equal(rolled.stripe_user_id, first.stripe_user_id);
    assert.notEqual(rolled.access_token, first.access_token);
    await assert.rejects(sdk(sandbox, first.access_token).customers.list(), {
      statusCode: 401,
      code: 'api_key_expired',
    });
    assert.equal((await sdk(sandbox, String(rolled.access_token)).customers.list()).object, 'list');
    await assert.rejects(stripe.oauth.token({ grant_type: 'refresh_token', refresh_token: 'rt_unknown' }), {
      type: 'StripeInvalidGrantError',
    });
    const anonymous = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'ac_x' }),
    });
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: string }).error, 'invalid_client');
  });

  it('expires codes after five minutes and redirects refusals with the state', async () => {
    const code = String((await authorize({ redirect_uri: REDIRECT })).searchParams.get('code'));
    clock.advance(5 * 60 * 1000);
    await assert.rejects(stripe.oauth.token({ grant_type: 'authorization_code', code }), {
      message: /expired/,
    });
    sandbox.control.denyNextAuthorization();
    const denied = await authorize({ redirect_uri: REDIRECT, state: 's-2' });
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('state'), 's-2');
    assert.equal(denied.searchParams.get('code'), null);
    const wrong = await fetch(
      `${sandbox.url}/oauth/authorize?response_type=code&client_id=${sandbox.platform.clientId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
      { redirect: 'manual' },
    );
    assert.equal(wrong.status, 400);
  });

  it('deauthorizes: the platform hears account.application.deauthorized and loses access', async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: ['account.application.deauthorized'],
      connect: true,
    });
    const code = String(
      (await authorize({ redirect_uri: REDIRECT, scope: 'read_write' })).searchParams.get('code'),
    );
    const token = await stripe.oauth.token({ grant_type: 'authorization_code', code });
    const accountId = String(token.stripe_user_id);
    const result = await stripe.oauth.deauthorize({
      client_id: sandbox.platform.clientId,
      stripe_user_id: accountId,
    });
    assert.deepEqual({ ...result }, { stripe_user_id: accountId });

    await sandbox.control.deliverPending();
    const delivery = receiver.received.at(-1);
    assert.ok(delivery);
    const event = stripe.webhooks.constructEvent(
      delivery.body,
      String(delivery.headers['stripe-signature']),
      String(endpoint.secret),
      300,
      undefined,
      clock.now(),
    );
    assert.equal(event.type, 'account.application.deauthorized');
    assert.equal(event.account, accountId);
    assert.deepEqual(event.data.object, {
      id: sandbox.platform.clientId,
      object: 'application',
      name: 'Patchbay Demo',
    });

    await assert.rejects(stripe.customers.list({}, { stripeAccount: accountId }), {
      type: 'StripePermissionError',
      code: 'account_invalid',
    });
    await assert.rejects(sdk(sandbox, String(token.access_token)).customers.list(), { statusCode: 401 });
    await assert.rejects(
      stripe.oauth.deauthorize({ client_id: sandbox.platform.clientId, stripe_user_id: accountId }),
      {
        type: 'StripeInvalidClientError',
      },
    );
  });
});
