/**
 * The rows the fuzzer works on. One "set" is an integration of the fuzz provider with two
 * connections (metadata, records, a field mapping, a queued sync run, an action run), a webhook
 * endpoint with a message, a custom-webhook integration with one stored inbound event, and an API
 * key. Protected sets are seeded before the run and must read back unchanged after it; target sets
 * are the fuzzer's to change and delete (a new one replaces a set the fuzzer broke).
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Patchbay } from '../../src/engine/index.ts';
import { prepareRecord } from '../../src/syncs/records/index.ts';
import { itemSchema } from './fixtures/providers/fuzz-api/syncs/items.ts';

export interface SeedSet {
  environmentId: string;
  integrationId: string;
  integrationKey: string;
  connectionIds: string[];
  syncRunId: string;
  actionRunId: string;
  endpointId: string;
  messageId: string;
  hooksIntegrationId: string;
  hooksKey: string;
  hooksSecret: string;
  inboundEventId: string;
  apiKeyId: string;
  apiKeySecret: string;
}

/** A JSON call to the API in-process; throws unless it answers `expect`. */
export async function call(
  app: FastifyInstance,
  secret: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  expect: number[] = [200, 201, 202],
): Promise<Record<string, unknown>> {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${secret}` },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
  if (!expect.includes(response.statusCode)) {
    throw new Error(
      `seeding: ${method} ${url} answered ${response.statusCode}: ${response.body.slice(0, 500)}`,
    );
  }
  return response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {};
}

/** Signs `body` as the custom-webhook provider's sender does (`sha256=` HMAC of `{timestamp}.{body}`). */
export function signWebhook(secret: string, body: Buffer, now = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return { 'x-webhook-timestamp': timestamp, 'x-webhook-signature': `sha256=${mac}` };
}

/** Seeds one set in `environmentId`, acting with `secret` (a key of that environment). */
export async function seedSet(
  engine: Patchbay,
  environmentId: string,
  secret: string,
  label: string,
): Promise<SeedSet> {
  const app = engine.api!;
  const post = (url: string, body: unknown) => call(app, secret, 'POST', url, body);
  const integration = await post('/v1/integrations', {
    provider: 'fuzz-api',
    key: `fuzz-${label}`,
    displayName: `Fuzz ${label} ✓ — ünïcode`,
  });
  const integrationKey = String(integration.key);
  const connectionIds: string[] = [];
  for (const endUser of [`user-${label}-1`, `user-${label}-2`]) {
    const connection = await engine.services.providers.connections.save(environmentId, {
      integrationId: integrationKey,
      endUser: { id: endUser, email: `${endUser}@example.test`, organization: 'Zoë & Co 👩‍👩‍👧' },
      credentials: { type: 'api_key', values: { apiKey: `fuzz-key-${label}` } },
      connectionConfig: {},
      metadata: { plan: 'pro', label, nested: { list: [1, 'two', { three: null }], rtl: '\u202Eevil' } },
    });
    connectionIds.push(connection.id);
  }
  const [first] = connectionIds as [string];
  await engine.services.syncs.records.upsert(
    engine.store.db,
    { environmentId, connectionId: first, runId: `seed-${label}` },
    'items',
    [1, 2, 3].map((n) =>
      prepareRecord('items', itemSchema, {
        id: `item-${n}`,
        title: `Item ${n} ${label} 日本語`,
        price: n * 1.25,
        tags: ['a', 'ü'],
        attributes: { n, deep: { deeper: [n] } },
      }),
    ),
  );
  await call(app, secret, 'PUT', `/v1/connections/${first}/field-mappings/model/items`, {
    fields: [{ from: 'title', to: 'name' }],
    keepUnmapped: true,
  });
  const syncRun = await post(`/v1/connections/${first}/syncs/items/trigger`, {});
  const actionRun = await post(`/v1/connections/${first}/actions/echo`, {
    input: { text: `hello ${label}`, count: 2, attributes: { k: 'v' } },
  });
  const endpoint = await post('/v1/endpoints', {
    url: `https://hooks.fuzz.example.test/${label}`,
    description: `Endpoint ${label}`,
    eventTypes: [`fuzz.${label}.*`],
    headers: { 'x-fuzz': label },
  });
  const messages = await post('/v1/messages', {
    eventType: `fuzz.${label}.seeded`,
    data: { label, unicode: '👩‍👩‍👧‍👦 e\u0301', nested: { a: [1, { b: 2 }] } },
  });
  const hooksSecret = `whsec_fuzz_${label}_3b9f0c1d2e4a`;
  const hooks = await post('/v1/integrations', {
    provider: 'custom-webhook',
    key: `fuzz-hooks-${label}`,
    webhookSecret: hooksSecret,
  });
  const hooksKey = String(hooks.key);
  const payload = Buffer.from(JSON.stringify({ label, amount: 42, text: 'stored before the run ✓' }));
  const delivered = await app.inject({
    method: 'POST',
    url: `/webhooks/${environmentId}/${hooksKey}`,
    headers: {
      'content-type': 'application/json',
      'x-webhook-id': `seed-${label}`,
      'x-webhook-event': 'fuzz.seeded',
      ...signWebhook(hooksSecret, payload),
    },
    payload,
  });
  if (delivered.statusCode !== 200) throw new Error(`seeding: webhook answered ${delivered.body}`);
  const apiKey = await post('/v1/api-keys', { name: `fuzz ${label}` });
  return {
    environmentId,
    integrationId: String(integration.id),
    integrationKey,
    connectionIds,
    syncRunId: String(syncRun.runId),
    actionRunId: String(actionRun.id),
    endpointId: String(endpoint.id),
    messageId: String((messages.data as Array<{ id: string }>)[0]!.id),
    hooksIntegrationId: String(hooks.id),
    hooksKey,
    hooksSecret,
    inboundEventId: String((JSON.parse(delivered.body) as { id: string }).id),
    apiKeyId: String(apiKey.id),
    apiKeySecret: String(apiKey.secret),
  };
}

/** The URLs whose answers show a set's stored data (read with a key of its environment). */
export function snapshotUrls(set: SeedSet): string[] {
  const [first, second] = set.connectionIds as [string, string];
  return [
    `/v1/integrations/${set.integrationKey}`,
    `/v1/integrations/${set.hooksKey}`,
    `/v1/connections/${first}`,
    `/v1/connections/${second}`,
    `/v1/connections/${first}/syncs`,
    `/v1/connections/${first}/field-mappings`,
    `/v1/records?connectionId=${first}&model=items&includeDeleted=true`,
    `/v1/sync-runs/${set.syncRunId}`,
    `/v1/action-runs/${set.actionRunId}`,
    `/v1/endpoints/${set.endpointId}`,
    `/v1/endpoints/${set.endpointId}/secret`,
    `/v1/messages/${set.messageId}`,
    `/v1/messages/${set.messageId}/attempts`,
    `/v1/inbound-events/${set.inboundEventId}`,
    `/v1/inbound-events?integration=${set.hooksKey}`,
  ];
}

/** What the API answers for a set's stored data, and its API key's entry; keyed by URL. */
export async function snapshot(
  app: FastifyInstance,
  set: SeedSet,
  secret: string,
): Promise<Record<string, unknown>> {
  const taken: Record<string, unknown> = {};
  for (const url of snapshotUrls(set)) {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${secret}` } });
    taken[url] = { status: response.statusCode, body: response.body ? JSON.parse(response.body) : null };
  }
  const keys = await call(app, secret, 'GET', '/v1/api-keys');
  taken['api key'] = (keys.data as Array<{ id: string }>).find((key) => key.id === set.apiKeyId) ?? null;
  return taken;
}

/**
 * One integration of every provider of the catalog (key `hooks-<provider>`), so that webhook
 * deliveries reach each provider's verification; and, where a provider routes deliveries by a
 * connection's URL token, a connection and its token. Answers the integration keys and tokens.
 */
export async function seedProviders(
  engine: Patchbay,
  environmentId: string,
  secret: string,
): Promise<{ keys: string[]; tokens: string[] }> {
  const app = engine.api!;
  const keys: string[] = [];
  const tokens: string[] = [];
  for (const [provider, definition] of engine.services.providers.catalog) {
    const integration = await call(app, secret, 'POST', '/v1/integrations', {
      provider,
      key: `hooks-${provider}`.slice(0, 60),
      clientId: 'fuzz-client',
      clientSecret: 'fuzz-client-secret',
      webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    const key = String(integration.key);
    keys.push(key);
    if (definition.webhooks?.routing.from !== 'url') continue;
    const connection = await engine.services.providers.connections.save(environmentId, {
      integrationId: key,
      endUser: { id: `hooks-user-${provider}`, email: null, organization: null },
      credentials: { type: 'api_key', values: { apiKey: 'fuzz' } },
      connectionConfig: {},
      metadata: {},
    });
    const issued = await call(app, secret, 'POST', `/v1/connections/${connection.id}/webhook-token`, {});
    const url = new URL(String(issued.url));
    const token = url.pathname.split('/')[4] ?? url.searchParams.values().next().value;
    if (token) tokens.push(token);
  }
  return { keys, tokens };
}
