import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { getProvider, loadCatalog, type Webhooks } from '../catalog/index.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import { type ManagedWebhookKeys, type SecretSources, secretsFor } from './secrets.ts';

// The keys a per-connection delivery is verified with: those the engine registered at the
// provider (src/webhook-subscriptions) first, then one the host pasted; and a URL token found
// among the host-issued ones or the registered ones.
describe('secretsFor with registered webhook subscriptions', () => {
  let webhooks: Webhooks;
  const integration = { id: 'int_1', environmentId: 'env_1', key: 'stripe-api-key' } as ResolvedIntegration;
  const delivery = (path: string) => ({
    method: 'POST',
    url: new URL(`https://patchbay.example${path}`),
    headers: { 'content-type': 'application/json' },
    rawBody: Buffer.from('{}'),
    receivedAt: 0,
  });

  before(async () => {
    webhooks = getProvider(await loadCatalog(), 'stripe-api-key').webhooks as Webhooks;
  });

  function sources(managed?: ManagedWebhookKeys): SecretSources {
    return {
      store: {} as SecretSources['store'],
      integrations: { webhookSecret: async () => null },
      connections: {
        findByWebhookToken: async (_env, _int, token) => (token === 'host-token' ? 'conn_host' : null),
        webhookSecrets: async (_env, ids) =>
          new Map(ids.filter((id) => id !== 'conn_none').map((id) => [id, `whsec_pasted_${id}`])),
      },
      ...(managed ? { managed } : {}),
    };
  }
  const managed: ManagedWebhookKeys = {
    findByWebhookToken: async (_env, integrationId, token) =>
      integrationId === 'int_1' && token === 'managed-token' ? 'conn_managed' : null,
    webhookSecrets: async (_env, ids) =>
      new Map(ids.map((id) => [id, [`whsec_registered_${id}`, `whsec_registered2_${id}`]])),
  };

  it('finds the connection by a registered URL token and tries its registered secrets first', async () => {
    const found = await secretsFor(sources(managed), integration, webhooks, delivery('/w'), 'managed-token');
    assert.deepEqual(found, {
      connectionIds: ['conn_managed'],
      secrets: [
        'whsec_registered_conn_managed',
        'whsec_registered2_conn_managed',
        'whsec_pasted_conn_managed',
      ],
    });
  });

  it('still finds a host-issued URL token, and its pasted secret beside registered ones', async () => {
    const found = await secretsFor(sources(managed), integration, webhooks, delivery('/w'), 'host-token');
    assert.deepEqual(found.connectionIds, ['conn_host']);
    assert.deepEqual(found.secrets, [
      'whsec_registered_conn_host',
      'whsec_registered2_conn_host',
      'whsec_pasted_conn_host',
    ]);
  });

  it('finds nothing for an unknown token, or without the managed source', async () => {
    assert.deepEqual(await secretsFor(sources(managed), integration, webhooks, delivery('/w'), 'nope'), {
      secrets: [],
      connectionIds: [],
    });
    assert.deepEqual(await secretsFor(sources(), integration, webhooks, delivery('/w'), 'managed-token'), {
      secrets: [],
      connectionIds: [],
    });
  });
});
