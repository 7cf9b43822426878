// biome-ignore-all lint/suspicious/noTemplateCurlyInString: provider definition templates are `${name}` strings
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProviderDefinitionInput } from '../catalog/index.ts';
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

type CredentialsRejectedInput = NonNullable<
  NonNullable<ProviderDefinitionInput['proxy']>['credentialsRejected']
>;

const GRAPH_RULE: CredentialsRejectedInput = { status: [400, 401], path: 'error.code', values: [190] };

function connection(
  credentials: Credentials,
  status: ConnectionStatus = 'active',
  updatedAt = 1000,
  credentialsRejected?: CredentialsRejectedInput,
): ConnectionContext {
  const proxy = {
    baseUrl: 'http://127.0.0.1:9/api',
    headers: { 'X-Api-Key': '${apiKey}' },
    ...(credentialsRejected ? { credentialsRejected } : {}),
  };
  return {
    id: CONN,
    environmentId: ENV,
    status,
    endUserId: 'user-1',
    connectionConfig: {},
    metadata: {},
    integration: integrationFor(definitionFor('http://127.0.0.1:9', { proxy })),
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

/** The connections port, recording the connections marked reauth_required. */
function recordingMarks() {
  const marked: Array<{ environmentId: string; connectionId: string; code: string }> = [];
  return {
    marked,
    async markReauthRequired(environmentId: string, connectionId: string, reason: { code: string }) {
      marked.push({ environmentId, connectionId, code: reason.code });
    },
  };
}

describe('proxy client', () => {
  it('calls with the fresh connection the refresher returns', async () => {
    const { refresher, calls } = fakeRefresher(connection(oauth('good')), connection(oauth('other')));
    const { caller, targets } = fakeCaller('good');
    const client = createProxyClient({ refresher, caller, connections: recordingMarks() });
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
    const client = createProxyClient({ refresher, caller, connections: recordingMarks() });
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
    const client = createProxyClient({ refresher, caller, connections: recordingMarks() });
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
    const result = await createProxyClient({ refresher, caller, connections: recordingMarks() }).request(
      ENV,
      CONN,
      {
        method: 'GET',
        path: '/me',
      },
    );
    assert.equal(result.status, 401);
    assert.equal(calls.length, 1);
    assert.equal(targets.length, 1);
  });

  it('does not replay a streamed body after a 401', async () => {
    const { refresher, calls } = fakeRefresher(connection(oauth('old')), connection(oauth('new')));
    const { caller, targets } = fakeCaller('new');
    const result = await createProxyClient({ refresher, caller, connections: recordingMarks() }).request(
      ENV,
      CONN,
      {
        method: 'POST',
        path: '/upload',
        body: new Blob(['data']).stream(),
      },
    );
    assert.equal(result.status, 401);
    assert.equal(calls.length, 1);
    assert.equal(targets.length, 1);
  });

  for (const status of ['reauth_required', 'disconnected'] as const) {
    it(`refuses a ${status} connection with connection_reauth_required (409)`, async () => {
      const { refresher } = fakeRefresher(connection(oauth('old'), status), connection(oauth('new')));
      const { caller, targets } = fakeCaller('old');
      await assert.rejects(
        createProxyClient({ refresher, caller, connections: recordingMarks() }).request(ENV, CONN, {
          method: 'GET',
          path: '/me',
        }),
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
      createProxyClient({ refresher, caller, connections: recordingMarks() }).request(ENV, CONN, {
        method: 'GET',
        path: '/me',
      }),
      (error) => isPatchbayError(error, 'connection_reauth_required'),
    );
    assert.equal(targets.length, 1);
  });

  describe('with a credentialsRejected rule (Graph: 400 with error.code 190)', () => {
    const graphError = (code: number | string, subcode = 460) =>
      JSON.stringify({
        error: {
          message: 'Error validating access token',
          type: 'OAuthException',
          code,
          error_subcode: subcode,
        },
      });

    /** A provider that answers each call with the next of `answers`. */
    function scripted(...answers: Array<[number, string]>) {
      const targets: CallTarget[] = [];
      const caller: ProviderCaller = {
        async call(target) {
          targets.push(target);
          const [status, text] = answers.shift() ?? [200, 'ok'];
          return response(status, text);
        },
      };
      return { caller, targets };
    }

    it('marks a connection that cannot refresh reauth_required at once, and hands the answer on', async () => {
      const noRefresh: Credentials = { type: 'oauth2', accessToken: 'page-token' };
      const { refresher, calls } = fakeRefresher(
        connection(noRefresh, 'active', 1000, GRAPH_RULE),
        connection(noRefresh, 'active', 1000, GRAPH_RULE),
      );
      const { caller, targets } = scripted([400, graphError(190)]);
      const connections = recordingMarks();
      const result = await createProxyClient({ refresher, caller, connections }).request(ENV, CONN, {
        method: 'GET',
        path: '/me',
      });
      assert.equal(result.status, 400);
      assert.equal(await result.text(), graphError(190), 'the body read to match it is handed on whole');
      assert.deepEqual(connections.marked, [
        { environmentId: ENV, connectionId: CONN, code: 'credentials_rejected' },
      ]);
      assert.equal(targets.length, 1, 'no retry: nothing could change the answer');
      assert.deepEqual(calls, [undefined]);
    });

    it('matches the value as text: "190" as a string counts too', async () => {
      const noRefresh: Credentials = { type: 'oauth2', accessToken: 't' };
      const { refresher } = fakeRefresher(
        connection(noRefresh, 'active', 1000, GRAPH_RULE),
        connection(noRefresh, 'active', 1000, GRAPH_RULE),
      );
      const connections = recordingMarks();
      await createProxyClient({
        refresher,
        caller: scripted([400, graphError('190')]).caller,
        connections,
      }).request(ENV, CONN, { method: 'GET', path: '/me' });
      assert.equal(connections.marked.length, 1);
    });

    it('leaves the connection alone for other errors with the same status', async () => {
      const noRefresh: Credentials = { type: 'oauth2', accessToken: 't' };
      const { refresher } = fakeRefresher(
        connection(noRefresh, 'active', 1000, GRAPH_RULE),
        connection(noRefresh, 'active', 1000, GRAPH_RULE),
      );
      const connections = recordingMarks();
      for (const [status, text] of [
        [400, graphError(100, 33)],
        [400, 'not json'],
        [500, graphError(190)],
      ] as Array<[number, string]>) {
        const result = await createProxyClient({
          refresher,
          caller: scripted([status, text]).caller,
          connections,
        }).request(ENV, CONN, { method: 'GET', path: '/me' });
        assert.equal(result.status, status);
        assert.equal(await result.text(), text);
      }
      assert.deepEqual(connections.marked, []);
    });

    it('does not read a body larger than it inspects, and passes it on whole', async () => {
      const noRefresh: Credentials = { type: 'oauth2', accessToken: 't' };
      const { refresher } = fakeRefresher(
        connection(noRefresh, 'active', 1000, GRAPH_RULE),
        connection(noRefresh, 'active', 1000, GRAPH_RULE),
      );
      const connections = recordingMarks();
      const big = `{"error":{"code":190},"pad":"${'x'.repeat(200_000)}"}`;
      const result = await createProxyClient({
        refresher,
        caller: scripted([400, big]).caller,
        connections,
      }).request(ENV, CONN, { method: 'GET', path: '/me' });
      assert.equal((await result.text()).length, big.length);
      assert.deepEqual(connections.marked, []);
    });

    it('refreshes refreshable credentials first: no mark when the fresh token is accepted', async () => {
      const { refresher, calls } = fakeRefresher(
        connection(oauth('old'), 'active', 1000, GRAPH_RULE),
        connection(oauth('new'), 'active', 2000, GRAPH_RULE),
      );
      const { caller, targets } = scripted([400, graphError(190, 463)], [200, 'ok']);
      const connections = recordingMarks();
      const result = await createProxyClient({ refresher, caller, connections }).request(ENV, CONN, {
        method: 'GET',
        path: '/me',
      });
      assert.equal(result.status, 200);
      assert.equal(result.attempts, 2);
      assert.deepEqual(calls, [undefined, { force: true, staleUpdatedAt: 1000 }]);
      assert.deepEqual(
        targets.map((t) => (t.credentials as { accessToken: string }).accessToken),
        ['old', 'new'],
      );
      assert.deepEqual(connections.marked, []);
    });

    it('marks refreshable credentials once the refreshed ones are rejected too', async () => {
      const { refresher } = fakeRefresher(
        connection(oauth('old'), 'active', 1000, GRAPH_RULE),
        connection(oauth('new'), 'active', 2000, GRAPH_RULE),
      );
      const { caller } = scripted([400, graphError(190)], [401, graphError(190)]);
      const connections = recordingMarks();
      const result = await createProxyClient({ refresher, caller, connections }).request(ENV, CONN, {
        method: 'GET',
        path: '/me',
      });
      assert.equal(result.status, 401);
      assert.equal(await result.text(), graphError(190));
      assert.equal(connections.marked.length, 1);
    });

    it('takes a rule without a path as "this status means the credentials are gone"', async () => {
      const apiKey: Credentials = { type: 'api_key', values: { apiKey: 'k' } };
      const rule: CredentialsRejectedInput = { status: [403] };
      const { refresher } = fakeRefresher(
        connection(apiKey, 'active', 1, rule),
        connection(apiKey, 'active', 1, rule),
      );
      const connections = recordingMarks();
      const client = createProxyClient({
        refresher,
        caller: scripted([403, 'revoked'], [404, 'no']).caller,
        connections,
      });
      assert.equal((await client.request(ENV, CONN, { method: 'GET', path: '/me' })).status, 403);
      assert.equal((await client.request(ENV, CONN, { method: 'GET', path: '/me' })).status, 404);
      assert.equal(connections.marked.length, 1);
    });
  });

  it('passes not_found through for a connection of another environment', async () => {
    const { refresher } = fakeRefresher(connection(oauth('old')), connection(oauth('new')));
    const { caller } = fakeCaller('old');
    await assert.rejects(
      createProxyClient({ refresher, caller, connections: recordingMarks() }).request(
        'env_01jd0000000000000000000009',
        CONN,
        {
          method: 'GET',
          path: '/me',
        },
      ),
      (error) => isPatchbayError(error, 'not_found'),
    );
  });
});
