import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { createTestApi, type TestApi } from '../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { defineOperation } from './contract/index.ts';
import { type RouteModule, route } from './core/routes.ts';

// A route that does what careless code does: logs the whole request, then fails quoting its input
// (as a provider error echoing a form body would). Free text is redacted by shape, so the quoted
// secret is one with a recognizable shape or a `name=value` form.
const careless = defineOperation({
  id: 'testCareless',
  method: 'POST',
  path: '/v1/test/careless',
  summary: 'logs headers and body, then throws with the body in the message',
  tag: 'Test',
  auth: 'apiKey',
  body: z.object({ note: z.string(), client_secret: z.string() }),
  status: 200,
  response: z.object({ ok: z.boolean() }),
  errors: [],
});
const carelessRoutes: RouteModule = {
  name: 'careless',
  routes: [
    route(careless, ({ request, body, log }) => {
      log.info({ headers: request.headers, body, query: request.query }, 'received %s', body.note);
      throw new Error(`upstream refused ${body.note} (sent client_secret=${body.client_secret})`);
    }),
  ],
};

interface LogLine {
  level: string;
  headers: Record<string, string>;
  body: unknown;
  query: unknown;
  err: { message: string; stack: string };
  url: string;
  statusCode: number;
  environmentId: string;
}

const HEADER_SECRET = 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr';
const BODY_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const FIELD_SECRET = 'plain-words-but-a-secret-field';
const QUERY_SECRET = 'Zk3Lp9Qx7Wm2Nv8Rt4Yh6Jb1Cd5Fg0Hs';

for (const target of await testDatabases()) {
  describe(`request logs on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    before(async () => {
      database = await target.create!();
      api = await createTestApi(database, { routes: [carelessRoutes] });
    });
    after(async () => {
      await api?.close();
      await database?.destroy();
    });

    it('never contain a secret sent in a header, a JSON body, a query string or an error message', async () => {
      const apiKey = api.devAuth.authorization.slice('Bearer '.length);
      const response = await api.app.inject({
        method: 'POST',
        url: `/v1/test/careless?access_token=${QUERY_SECRET}`,
        headers: { ...api.devAuth, 'x-upstream-token': HEADER_SECRET, cookie: `session=${FIELD_SECRET}` },
        payload: { note: BODY_SECRET, client_secret: FIELD_SECRET },
      });
      assert.equal(response.statusCode, 500);
      assert.equal(response.json().error.code, 'internal_error');

      const text = api.logs.text();
      for (const secret of [apiKey, HEADER_SECRET, BODY_SECRET, FIELD_SECRET, QUERY_SECRET]) {
        assert.equal(text.includes(secret), false, `${secret} leaked into the log:\n${text}`);
      }
      // The lines are there, with the secrets replaced.
      const entries = api.logs.entries().filter((e) => e.requestId === response.headers['x-request-id']);
      assert.deepEqual(
        entries.map((e) => e.msg),
        ['received [redacted]', 'request failed', 'request completed'],
      );
      const [received, failed, completed] = entries as unknown as [LogLine, LogLine, LogLine];
      assert.equal(received.headers.authorization, '[redacted]');
      assert.equal(received.headers['x-upstream-token'], '[redacted]');
      assert.equal(received.headers.cookie, '[redacted]');
      assert.equal(received.headers['content-type'], 'application/json');
      assert.deepEqual(received.body, { note: '[redacted]', client_secret: '[redacted]' });
      assert.deepEqual(received.query, { access_token: '[redacted]' });
      assert.equal(failed.level, 'error');
      assert.equal(failed.err.message, 'upstream refused [redacted] (sent client_secret=[redacted])');
      assert.match(
        failed.err.stack,
        /^Error: upstream refused \[redacted\] \(sent client_secret=\[redacted\]\)\n/,
      );
      assert.equal(completed.url, '/v1/test/careless?access_token=[redacted]');
      assert.equal(completed.statusCode, 500);
      assert.equal(completed.environmentId, api.dev.id);
    });

    it('never contain the secret of a key created through the API', async () => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: api.devAuth,
        payload: { name: 'logged?' },
      });
      const { secret } = response.json();
      assert.match(secret, /^pb_sk_dev_/);
      await api.app.inject({ url: '/v1/api-keys', headers: { authorization: `Bearer ${secret}` } });
      assert.equal(api.logs.text().includes(secret), false);
      assert.equal(api.logs.text().includes(secret.slice(14)), false);
    });
  });
}
