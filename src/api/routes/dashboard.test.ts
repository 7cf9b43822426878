import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';

const PASSWORD = 'correct horse battery staple';

/** The `name=value` of the session cookie a response set, for the next request's Cookie header. */
function sessionCookie(response: { headers: Record<string, unknown> }): string {
  const header = response.headers['set-cookie'];
  const cookies = Array.isArray(header) ? header : [header];
  const found = cookies.find(
    (cookie): cookie is string => typeof cookie === 'string' && cookie.startsWith('pb_dashboard='),
  );
  assert.ok(found, `no session cookie in ${JSON.stringify(header)}`);
  return found.split(';')[0]!;
}

for (const target of await testDatabases()) {
  describe(`dashboard sign-in and sessions on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    let devKey: string;
    let prodKey: string;
    before(async () => {
      database = await target.create!();
      api = await createTestApi(database, { dashboard: true });
      devKey = api.devAuth.authorization.slice('Bearer '.length);
      prodKey = api.prodAuth.authorization.slice('Bearer '.length);
      await api.operators!.createOperator('Ops@Example.com', PASSWORD);
    });
    after(async () => {
      await api?.close();
      await database?.destroy();
    });

    /** Signs in from its own client address, so one test's failures cannot lock another out. */
    async function signIn(payload: Record<string, string>, remoteAddress = '10.0.0.1') {
      return api.app.inject({ method: 'POST', url: '/v1/dashboard/session', payload, remoteAddress });
    }

    it('refuses every API call and the session route without a session', async () => {
      for (const url of ['/v1/environment', '/v1/api-keys', '/v1/dashboard/session']) {
        const response = await api.app.inject({ url });
        assert.equal(response.statusCode, 401, url);
        assert.equal(response.json().error.code, 'unauthorized', url);
      }
      const forged = await api.app.inject({
        url: '/v1/environment',
        headers: { cookie: 'pb_dashboard=pb_ds_forged' },
      });
      assert.equal(forged.statusCode, 401);
      assert.match(forged.json().error.message, /session has ended/);
    });

    it('exchanges a secret key for an httpOnly, SameSite=Strict session in the key’s environment', async () => {
      const response = await signIn({ apiKey: devKey });
      assert.equal(response.statusCode, 201);
      const setCookie = String(response.headers['set-cookie']);
      assert.match(setCookie, /^pb_dashboard=pb_ds_[\w-]{43};/);
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Strict/);
      assert.match(setCookie, /Path=\//);
      assert.ok(!response.body.includes(devKey), 'the key is not echoed');
      const body = response.json();
      assert.equal(body.environment.id, api.dev.id);
      assert.equal(body.signedInWith, 'apiKey');
      assert.deepEqual(
        body.environments.map((environment: { name: string }) => environment.name),
        ['dev'],
      );
      const cookie = sessionCookie(response);
      const environment = await api.app.inject({ url: '/v1/environment', headers: { cookie } });
      assert.equal(environment.statusCode, 200);
      assert.equal(environment.json().id, api.dev.id);
      const session = await api.app.inject({ url: '/v1/dashboard/session', headers: { cookie } });
      assert.equal(session.json().csrfToken, body.csrfToken);
    });

    it('refuses a write without the session’s CSRF token, and accepts it with the token', async () => {
      const response = await signIn({ apiKey: devKey });
      const cookie = sessionCookie(response);
      const { csrfToken } = response.json();
      for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'x'.repeat(csrfToken.length) }]) {
        const refused = await api.app.inject({
          method: 'POST',
          url: '/v1/api-keys',
          headers,
          payload: { name: 'csrf' },
        });
        assert.equal(refused.statusCode, 403);
        assert.equal(refused.json().error.code, 'csrf_token_invalid');
      }
      const keys = await api.app.inject({ url: '/v1/api-keys', headers: api.devAuth });
      assert.ok(
        !keys.json().data.some((key: { name: string }) => key.name === 'csrf'),
        'nothing was created',
      );
      const accepted = await api.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: { cookie, 'x-csrf-token': csrfToken },
        payload: { name: 'from the dashboard' },
      });
      assert.equal(accepted.statusCode, 201);
      assert.equal(accepted.json().environmentId, api.dev.id);
    });

    it('keeps a key session in its environment and refuses cross-environment access', async () => {
      const response = await signIn({ apiKey: devKey });
      const cookie = sessionCookie(response);
      const { csrfToken } = response.json();
      const switched = await api.app.inject({
        method: 'PUT',
        url: '/v1/dashboard/session/environment',
        headers: { cookie, 'x-csrf-token': csrfToken },
        payload: { environmentId: api.prod.id },
      });
      assert.equal(switched.statusCode, 403);
      assert.equal(switched.json().error.code, 'forbidden');
      // The session's data is dev's: prod's keys are not listed.
      const keys = await api.app.inject({ url: '/v1/api-keys', headers: { cookie } });
      assert.ok(keys.json().data.every((key: { environmentId: string }) => key.environmentId === api.dev.id));
      // A prod key's own call is answered in prod: the cookie never widens or changes a Bearer call.
      const bearer = await api.app.inject({ url: '/v1/environment', headers: { cookie, ...api.prodAuth } });
      assert.equal(bearer.json().id, api.prod.id);
      // Revoking a prod key through the dev session finds nothing.
      const revoke = await api.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${api.prodKeyId}`,
        headers: { cookie, 'x-csrf-token': csrfToken },
      });
      assert.equal(revoke.statusCode, 404);
      const stillWorks = await api.app.inject({ url: '/v1/environment', headers: api.prodAuth });
      assert.equal(stillWorks.statusCode, 200);
      // Prod is reached by signing in with a prod key: that session is prod's alone.
      const prodSession = await signIn({ apiKey: prodKey });
      const prodCookie = sessionCookie(prodSession);
      assert.equal(prodSession.json().environment.id, api.prod.id);
      const prodKeys = await api.app.inject({ url: '/v1/api-keys', headers: { cookie: prodCookie } });
      assert.ok(
        prodKeys.json().data.every((key: { environmentId: string }) => key.environmentId === api.prod.id),
      );
    });

    it('lets an operator switch environments, and each call acts in the session’s current one', async () => {
      const response = await signIn({ email: 'ops@example.com', password: PASSWORD });
      assert.equal(response.statusCode, 201);
      const body = response.json();
      assert.equal(body.signedInWith, 'operator');
      assert.equal(body.operator.email, 'ops@example.com');
      assert.deepEqual(body.environments.map((environment: { name: string }) => environment.name).sort(), [
        'dev',
        'prod',
      ]);
      const cookie = sessionCookie(response);
      const switched = await api.app.inject({
        method: 'PUT',
        url: '/v1/dashboard/session/environment',
        headers: { cookie, 'x-csrf-token': body.csrfToken },
        payload: { environmentId: api.prod.id },
      });
      assert.equal(switched.statusCode, 200);
      assert.equal(switched.json().environment.id, api.prod.id);
      const environment = await api.app.inject({ url: '/v1/environment', headers: { cookie } });
      assert.equal(environment.json().id, api.prod.id);
      const unknown = await api.app.inject({
        method: 'PUT',
        url: '/v1/dashboard/session/environment',
        headers: { cookie, 'x-csrf-token': body.csrfToken },
        payload: { environmentId: 'env_01jz8x7y6w5v4t3s2r1q0p9n8m' },
      });
      assert.equal(unknown.statusCode, 404);
    });

    it('locks an operator account after five wrong passwords, then lets it in once the lockout ends', async () => {
      await api.operators!.createOperator('locked@example.com', PASSWORD);
      for (let attempt = 1; attempt <= 4; attempt++) {
        const wrong = await signIn({ email: 'locked@example.com', password: 'wrong password!' }, '10.0.1.1');
        assert.equal(wrong.statusCode, 401, `attempt ${attempt}`);
        assert.equal(wrong.json().error.code, 'sign_in_failed');
      }
      const fifth = await signIn({ email: 'locked@example.com', password: 'wrong password!' }, '10.0.1.2');
      assert.equal(fifth.statusCode, 429);
      assert.equal(fifth.json().error.code, 'sign_in_locked');
      // Locked even with the right password, from any client.
      const right = await signIn({ email: 'locked@example.com', password: PASSWORD }, '10.0.1.3');
      assert.equal(right.statusCode, 429);
      assert.ok(right.json().error.details.retryAfterSeconds > 0);
      api.clock.advance(15 * 60_000 + 1);
      const later = await signIn({ email: 'locked@example.com', password: PASSWORD }, '10.0.1.3');
      assert.equal(later.statusCode, 201);
    });

    it('locks out a client that keeps guessing keys, even when it then sends a valid one', async () => {
      for (let attempt = 1; attempt <= 20; attempt++) {
        const wrong = await signIn({ apiKey: `pb_sk_dev_${'A'.repeat(43)}` }, '10.0.2.1');
        assert.equal(wrong.statusCode, 401, `attempt ${attempt}`);
        assert.equal(
          wrong.json().error.message,
          'Sign-in failed: the API key, or the email and password, are not valid',
        );
      }
      const valid = await signIn({ apiKey: devKey }, '10.0.2.1');
      assert.equal(valid.statusCode, 429);
      assert.equal(valid.json().error.code, 'sign_in_locked');
      const otherClient = await signIn({ apiKey: devKey }, '10.0.2.2');
      assert.equal(otherClient.statusCode, 201);
    });

    it('reports the queue depth of the session’s environment only', async () => {
      const now = api.clock.now();
      const job = (
        id: string,
        environmentId: string,
        state: 'queued' | 'active' | 'dead',
        runAt: number,
      ) => ({
        id,
        name: 'sync.run',
        environment_id: environmentId,
        payload: '{}',
        state,
        priority: 0,
        run_at: runAt,
        attempts: 0,
        max_attempts: 5,
        backoff: null,
        dedupe_key: null,
        lease_owner: null,
        lease_until: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      });
      await api.store.db
        .insertInto('jobs')
        .values([
          job('job_01jz8x7y6w5v4t3s2r1q0p9n81', api.dev.id, 'queued', now - 90_000),
          job('job_01jz8x7y6w5v4t3s2r1q0p9n82', api.dev.id, 'queued', now - 5_000),
          job('job_01jz8x7y6w5v4t3s2r1q0p9n83', api.dev.id, 'queued', now + 60_000),
          job('job_01jz8x7y6w5v4t3s2r1q0p9n84', api.dev.id, 'active', now - 1_000),
          job('job_01jz8x7y6w5v4t3s2r1q0p9n85', api.dev.id, 'dead', now - 500_000),
          job('job_01jz8x7y6w5v4t3s2r1q0p9n86', api.prod.id, 'queued', now - 900_000),
        ])
        .execute();
      const cookie = sessionCookie(await signIn({ apiKey: devKey }));
      const depth = await api.app.inject({ url: '/v1/dashboard/queue', headers: { cookie } });
      assert.equal(depth.statusCode, 200);
      assert.deepEqual(depth.json(), {
        waiting: 2,
        running: 1,
        later: 1,
        dead: 1,
        oldestWaitingAt: new Date(now - 90_000).toISOString(),
      });
      const prod = await api.app.inject({ url: '/v1/dashboard/queue', headers: api.prodAuth });
      assert.deepEqual(prod.json(), {
        waiting: 1,
        running: 0,
        later: 0,
        dead: 0,
        oldestWaitingAt: new Date(now - 900_000).toISOString(),
      });
      await api.store.db.deleteFrom('jobs').execute();
    });

    it('ends the session on sign-out, on expiry and when its key is revoked', async () => {
      const first = await signIn({ apiKey: devKey });
      const cookie = sessionCookie(first);
      const signOut = await api.app.inject({
        method: 'DELETE',
        url: '/v1/dashboard/session',
        headers: { cookie, 'x-csrf-token': first.json().csrfToken },
      });
      assert.equal(signOut.statusCode, 200);
      assert.match(String(signOut.headers['set-cookie']), /^pb_dashboard=;.*Expires=Thu, 01 Jan 1970/);
      assert.equal((await api.app.inject({ url: '/v1/environment', headers: { cookie } })).statusCode, 401);

      const second = sessionCookie(await signIn({ apiKey: devKey }));
      api.clock.advance(12 * 3_600_000);
      assert.equal(
        (await api.app.inject({ url: '/v1/environment', headers: { cookie: second } })).statusCode,
        401,
      );

      const created = await api.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: api.devAuth,
        payload: { name: 'short-lived' },
      });
      const third = sessionCookie(await signIn({ apiKey: created.json().secret }));
      assert.equal(
        (await api.app.inject({ url: '/v1/environment', headers: { cookie: third } })).statusCode,
        200,
      );
      await api.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${created.json().id}`,
        headers: api.devAuth,
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.equal(
        (await api.app.inject({ url: '/v1/environment', headers: { cookie: third } })).statusCode,
        401,
      );
    });
  });
}
