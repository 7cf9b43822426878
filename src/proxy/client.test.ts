import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError, notFound } from '../errors/index.ts';
import type { ConnectionContext, Credentials } from '../ports/connections.ts';
import type { ConnectionStatus } from '../store/index.ts';
import { createProxyClient } from './client.ts';
import { definitionFor, integrationFor } from './fixtures/upstream.ts';
import type {
  CallTarget,
  ProviderCaller,
  ProviderRequest,
  ProviderResponse,
  RefreshCoordinator,
} from './types.ts';

const ENV = 'env_01jd0000000000000000000000';
const CONN = 'conn_01jd0000000000000000000000';

function connection(
  credentials: Credentials,
  status: ConnectionStatus = 'active',
  updatedAt = 1000,
): ConnectionContext {
  return {
    id: CONN,
    environmentId: ENV,
    status,
    endUserId: 'user-1',
    connectionConfig: {},
    metadata: {},
    integration: integrationFor(definitionFor('http://127.0.0.1:9')),
    credentials,
    expiresAt: null,
    updatedAt,
  };
}

/** A refresher whose forced refresh hands out the next token. */
function fakeRefresher(initial: ConnectionContext, refreshed: ConnectionContext) {
  const calls: Array<{ force?: boolean; staleUpdatedAt?: number } | undefined> = [];
  let current = initial;
  const refresher: RefreshCoordinator = {
    async ensureFresh(environmentId, connectionId, options) {
      if (environmentId !== ENV || connectionId !== CONN) throw notFound('connection', connectionId);
      calls.push(options);
      if (options?.force) current = refreshed;
      return current;
    },
  };
  return { refresher, calls };
}

function response(status: number, text = ''): ProviderResponse {
  const body = new Blob([text]).stream();
  return {
    status,
    headers: {},
    body,
    attempts: 1,
    text: () => new Response(body).text(),
    json: async () => JSON.parse(await new Response(body).text()),
  };
}

/** A provider that accepts only `validToken`. */
function fakeCaller(validToken: string) {
  const targets: CallTarget[] = [];
  const caller: ProviderCaller = {
    async call(target: CallTarget, _request: ProviderRequest) {
      targets.push(target);
      const credentials = target.credentials;
      const token = credentials.type === 'oauth2' ? credentials.accessToken : undefined;
      return token === validToken ? response(200, 'ok') : response(401, 'expired');
    },
  };
  return { caller, targets };
}

const oauth = (accessToken: string): Credentials => ({ type: 'oauth2', accessToken, refreshToken: 'rt' });

describe('proxy client', () => {
  it('calls with the fresh connection the refresher returns', async () => {
    const { refresher, calls } = fakeRefresher(connection(oauth('good')), connection(oauth('other')));
    const { caller, targets } = fakeCaller('good');
    const client = createProxyClient({ refresher, caller });
    const result = await client.request(ENV, CONN, { method: 'GET', path: '/me' });
    assert.equal(result.status, 200);
    assert.deepEqual(calls, [undefined]);
    assert.equal(targets[0]!.connectionId, CONN);
    assert.equal(targets[0]!.environmentId, ENV);
  });

  it('on a 401 forces one refresh (naming the stale version) and retries once', async () => {
    const { refresher, calls } = fakeRefresher(
      connection(oauth('old'), 'active', 1000),
      connection(oauth('new'), 'active', 2000),
    );
    const { caller, targets } = fakeCaller('new');
    const client = createProxyClient({ refresher, caller });
    const result = await client.request(ENV, CONN, { method: 'GET', path: '/me' });
    assert.equal(result.status, 200);
    assert.equal(await result.text(), 'ok');
    assert.equal(result.attempts, 2);
    assert.deepEqual(calls, [undefined, { force: true, staleUpdatedAt: 1000 }]);
    assert.deepEqual(
      targets.map((t) => (t.credentials as { accessToken: string }).accessToken),
      ['old', 'new'],
    );
  });

  it('returns a second 401 as it is, after exactly one forced refresh', async () => {
    const { refresher, calls } = fakeRefresher(connection(oauth('old')), connection(oauth('still-bad')));
    const { caller, targets } = fakeCaller('never');
    const client = createProxyClient({ refresher, caller });
    const result = await client.request(ENV, CONN, { method: 'GET', path: '/me' });
    assert.equal(result.status, 401);
    assert.equal(await result.text(), 'expired');
    assert.equal(calls.filter((c) => c?.force).length, 1);
    assert.equal(targets.length, 2);
  });

  it('does not refresh key-based credentials on a 401', async () => {
    const apiKey: Credentials = { type: 'api_key', values: { apiKey: 'k' } };
    const { refresher, calls } = fakeRefresher(connection(apiKey), connection(apiKey));
    const { caller, targets } = fakeCaller('none');
    const result = await createProxyClient({ refresher, caller }).request(ENV, CONN, {
      method: 'GET',
      path: '/me',
    });
    assert.equal(result.status, 401);
    assert.equal(calls.length, 1);
    assert.equal(targets.length, 1);
  });

  it('does not replay a streamed body after a 401', async () => {
    const { refresher, calls } = fakeRefresher(connection(oauth('old')), connection(oauth('new')));
    const { caller, targets } = fakeCaller('new');
    const result = await createProxyClient({ refresher, caller }).request(ENV, CONN, {
      method: 'POST',
      path: '/upload',
      body: new Blob(['data']).stream(),
    });
    assert.equal(result.status, 401);
    assert.equal(calls.length, 1);
    assert.equal(targets.length, 1);
  });

  for (const status of ['reauth_required', 'disconnected'] as const) {
    it(`refuses a ${status} connection with connection_reauth_required (409)`, async () => {
      const { refresher } = fakeRefresher(connection(oauth('old'), status), connection(oauth('new')));
      const { caller, targets } = fakeCaller('old');
      await assert.rejects(
        createProxyClient({ refresher, caller }).request(ENV, CONN, { method: 'GET', path: '/me' }),
        (error) => isPatchbayError(error, 'connection_reauth_required') && error.status === 409,
      );
      assert.equal(targets.length, 0);
    });
  }

  it('refuses when the forced refresh finds the grant gone', async () => {
    const { refresher } = fakeRefresher(
      connection(oauth('old')),
      connection(oauth('old'), 'reauth_required'),
    );
    const { caller, targets } = fakeCaller('new');
    await assert.rejects(
      createProxyClient({ refresher, caller }).request(ENV, CONN, { method: 'GET', path: '/me' }),
      (error) => isPatchbayError(error, 'connection_reauth_required'),
    );
    assert.equal(targets.length, 1);
  });

  it('passes not_found through for a connection of another environment', async () => {
    const { refresher } = fakeRefresher(connection(oauth('old')), connection(oauth('new')));
    const { caller } = fakeCaller('old');
    await assert.rejects(
      createProxyClient({ refresher, caller }).request('env_01jd0000000000000000000009', CONN, {
        method: 'GET',
        path: '/me',
      }),
      (error) => isPatchbayError(error, 'not_found'),
    );
  });
});
