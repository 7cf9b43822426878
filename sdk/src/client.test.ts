import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestApi, type TestApi } from '../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import {
  type ApiKey,
  type Environment,
  isPatchbayApiError,
  PatchbayApiError,
  PatchbayClient,
} from './index.ts';

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  status: number,
): Promise<PatchbayApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PatchbayApiError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    return error;
  }
  assert.fail(`expected ${code}`);
}

for (const target of await testDatabases()) {
  describe(`SDK against a listening server on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    let baseUrl: string;
    let dev: PatchbayClient;
    let prod: PatchbayClient;
    const requested: string[] = [];

    before(async () => {
      database = await target.create!();
      api = await createTestApi(database, { config: { apiRateLimit: 50 } });
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      const spy: typeof fetch = (input, init) => {
        requested.push(`${init?.method} ${String(input)}`);
        return fetch(input, init);
      };
      dev = new PatchbayClient({ baseUrl, apiKey: api.devAuth.authorization.slice(7), fetch: spy });
      prod = new PatchbayClient({ baseUrl: `${baseUrl}/`, apiKey: api.prodAuth.authorization.slice(7) });
    });
    after(async () => {
      await api?.close();
      await database?.destroy();
    });

    it('reads the environment of its key', async () => {
      const environment: Environment = await dev.environment.get();
      assert.deepEqual(environment, {
        id: api.dev.id,
        name: 'dev',
        createdAt: new Date(api.dev.createdAt).toISOString(),
      });
      assert.equal((await prod.environment.get()).name, 'prod');
      assert.equal(requested.at(-1), `GET ${baseUrl}/v1/environment`);
    });

    it('creates, lists and revokes keys', async () => {
      const created = await dev.apiKeys.create({ name: 'from the SDK' });
      assert.match(created.secret, /^pb_sk_dev_/);
      assert.equal(created.status, 'active');

      const { data } = await dev.apiKeys.list();
      const listed: ApiKey | undefined = data.find((key) => key.id === created.id);
      assert.equal(listed?.name, 'from the SDK');
      assert.equal('secret' in (listed ?? {}), false);

      const withNewKey = new PatchbayClient({ baseUrl, apiKey: created.secret });
      assert.equal((await withNewKey.environment.get()).id, api.dev.id);

      const revoked = await dev.apiKeys.revoke(created.id);
      assert.equal(revoked.status, 'revoked');
      assert.equal(requested.at(-1), `DELETE ${baseUrl}/v1/api-keys/${created.id}`);
      await rejectsWith(withNewKey.environment.get(), 'invalid_api_key', 401);
    });

    it('throws PatchbayApiError with the API’s code, status, message, details and request id', async () => {
      const otherEnvironment = await rejectsWith(prod.apiKeys.revoke(api.devKeyId), 'not_found', 404);
      assert.equal(otherEnvironment.message, `API key ${api.devKeyId} was not found in this environment`);
      assert.deepEqual(otherEnvironment.details, { id: api.devKeyId });
      assert.match(otherEnvironment.requestId ?? '', /^req_/);
      assert.ok(isPatchbayApiError(otherEnvironment, 'not_found'));

      const invalidId = await rejectsWith(dev.apiKeys.revoke('not/an id'), 'invalid_id', 400);
      assert.deepEqual(invalidId.details, { expected: 'key_' });

      const invalid = await rejectsWith(dev.apiKeys.create({ name: '' }), 'validation_failed', 400);
      assert.deepEqual(
        (invalid.details as { issues: Array<{ path: string }> }).issues.map((i) => i.path),
        ['name'],
      );

      const stranger = new PatchbayClient({ baseUrl, apiKey: 'pb_sk_dev_unknown' });
      await rejectsWith(stranger.apiKeys.list(), 'invalid_api_key', 401);
    });

    it('reports rate limiting with the seconds to wait', async () => {
      const { secret } = await api.environments.createKey(api.dev.id, { name: 'busy' });
      const busy = new PatchbayClient({ baseUrl, apiKey: secret });
      let error: PatchbayApiError | undefined;
      for (let i = 0; i < 60 && !error; i++) {
        error = await busy.environment.get().then(
          () => undefined,
          (e: PatchbayApiError) => e,
        );
      }
      assert.equal(error?.code, 'rate_limited');
      assert.equal(error?.status, 429);
      assert.ok((error?.retryAfter ?? 0) >= 1);
    });

    it('reports an unreachable server as network_error and a foreign answer as invalid_response', async () => {
      const offline = new PatchbayClient({
        baseUrl,
        apiKey: 'x',
        fetch: async () => {
          throw new TypeError('fetch failed');
        },
      });
      const network = await rejectsWith(offline.environment.get(), 'network_error', 0);
      assert.equal((network.cause as Error).message, 'fetch failed');

      const proxy = new PatchbayClient({
        baseUrl,
        apiKey: 'x',
        fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }),
      });
      await rejectsWith(proxy.environment.get(), 'invalid_response', 502);
    });
  });
}
