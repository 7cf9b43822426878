/**
 * A seeded engine for the dashboard's browser tests: a Gumroad integration with a connection in
 * every status, a failed sync run, records, and hostile text (script tags, event handlers) in
 * every field the dashboard displays — end-user ids, error messages, record fields — so a test
 * can prove none of it runs.
 */
import { newId } from '../../src/ids/index.ts';
import {
  type LibraryEngine,
  startLibraryEngine,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from './library-engine.ts';

/** Markup that would set `window.__xss` if the dashboard ever interpreted it. */
export const HOSTILE = {
  endUser: '<script>window.__xss = "end user"</script>',
  lastError: '<img src=x onerror="window.__xss = \'last error\'">',
  syncError: 'Gumroad answered 502 <svg onload="window.__xss = \'sync error\'"></svg> for /v2/sales',
  record: '<script>window.__xss = "record"</script><b onmouseover="window.__xss = 1">hover</b>',
  payload: '<iframe src="javascript:window.__xss = \'payload\'"></iframe>',
} as const;

export interface DashboardWorld {
  patchbay: LibraryEngine;
  environmentId: string;
  /**
   * The connection by status; `reauth_required` is the broken one the overview must lead to and
   * has the records, `active` has the failed sync run (which it may run again).
   */
  connections: Record<'active' | 'refreshing' | 'reauth_required' | 'error' | 'disconnected', string>;
  failedRunId: string;
  unroutedEventId: string;
  /** A receiver that failed the first delivery (500) and accepts the next ones. */
  receiver: WebhookReceiver;
  endpointId: string;
  failedMessageId: string;
}

export async function startDashboardWorld(): Promise<DashboardWorld> {
  const patchbay = await startLibraryEngine();
  const { engine } = patchbay;
  const environment = await engine.services.environments.getEnvironmentByName('dev');
  const integration = await patchbay.call('POST', '/v1/integrations', {
    provider: 'gumroad',
    clientId: 'dashboard-test-app',
    clientSecret: 'dashboard-test-secret',
    // Nothing runs by itself: the test decides what exists. Nothing answers at this address.
    settings: { autoStartSyncs: [], baseUrls: { '*': 'http://127.0.0.1:9' } },
  });
  if (integration.status !== 201) throw new Error(`integration: ${integration.text}`);
  const statuses = ['active', 'refreshing', 'reauth_required', 'error', 'disconnected'] as const;
  const connections = {} as DashboardWorld['connections'];
  const db = engine.store.db;
  for (const status of statuses) {
    const saved = await engine.services.providers.connections.save(environment.id, {
      integrationId: integration.body.id,
      endUser: {
        id: status === 'error' ? HOSTILE.endUser : `customer-${status}`,
        email: `${status}@example.com`,
        organization: null,
      },
      credentials: { type: 'oauth2', accessToken: `token-${status}`, expiresAt: Date.now() + 3_600_000 },
      connectionConfig: {},
      metadata: {},
    });
    connections[status] = saved.id;
    await db
      .updateTable('connections')
      .set({
        status,
        last_error_code:
          status === 'reauth_required'
            ? 'credentials_rejected'
            : status === 'error'
              ? 'refresh_failed'
              : null,
        last_error_message:
          status === 'reauth_required'
            ? 'Gumroad refused the refresh token: the customer must reconnect'
            : status === 'error'
              ? HOSTILE.lastError
              : null,
      })
      .where('id', '=', saved.id)
      .execute();
  }
  const now = Date.now();
  const failedRunId = newId('syncRun');
  await db
    .insertInto('sync_runs')
    .values({
      id: failedRunId,
      environment_id: environment.id,
      connection_id: connections.active,
      sync_name: 'sales',
      trigger: 'schedule',
      mode: 'incremental',
      status: 'failed',
      attempt: 3,
      added: 12,
      updated: 4,
      deleted: 0,
      unchanged: 30,
      pages: 2,
      error_code: 'provider_unreachable',
      error_message: HOSTILE.syncError,
      details: JSON.stringify({ models: { sales: { added: 12 } } }),
      created_at: now - 60_000,
      started_at: now - 59_000,
      finished_at: now - 50_000,
      duration_ms: 9_000,
      updated_at: now - 50_000,
    })
    .execute();
  for (let index = 0; index < 3; index++) {
    const payload = JSON.stringify({
      id: `prod_${index}`,
      name: index === 0 ? HOSTILE.record : `Product ${index}`,
    });
    await db
      .insertInto('records')
      .values({
        connection_id: connections.reauth_required,
        model: 'products',
        external_id: `prod_${index}`,
        environment_id: environment.id,
        payload,
        hash: `hash-${index}`,
        first_seen_at: now - 120_000,
        modified_at: now - 120_000 + index,
        deleted_at: null,
        last_run_id: failedRunId,
      })
      .execute();
  }
  const unroutedEventId = newId('inboundEvent');
  const body = JSON.stringify({
    resource_name: 'sale',
    seller_id: 'unknown-seller',
    product_name: HOSTILE.payload,
  });
  await db
    .insertInto('inbound_events')
    .values({
      id: unroutedEventId,
      environment_id: environment.id,
      integration_id: integration.body.id,
      provider: 'gumroad',
      provider_event_id: null,
      dedupe_key: null,
      event_type: 'sale',
      content_type: 'application/json',
      headers: JSON.stringify({ 'content-type': 'application/json' }),
      body: Buffer.from(body).toString('base64'),
      status: 'unrouted',
      connection_ids: '[]',
      attempts: 1,
      error_code: null,
      error_message: null,
      received_at: now - 30_000,
      processed_at: now - 29_000,
    })
    .execute();

  const receiver = await startWebhookReceiver();
  receiver.answers.push(500);
  const endpoint = await patchbay.call('POST', '/v1/endpoints', {
    url: receiver.url,
    description: 'The app',
  });
  if (endpoint.status !== 201) throw new Error(`endpoint: ${endpoint.text}`);
  const sent = await patchbay.call('POST', '/v1/messages', {
    eventType: 'order.shipped',
    data: { order: 'ord_1' },
  });
  if (sent.status !== 201 && sent.status !== 200) throw new Error(`message: ${sent.text}`);
  const failedMessageId: string = sent.body.data[0].id;
  // The first delivery fails; the message then waits for its next scheduled attempt.
  await waitFor('the first delivery to fail', async () => {
    const attempts = await patchbay.call('GET', `/v1/messages/${failedMessageId}/attempts`);
    return attempts.body.data?.some((attempt: { status: string }) => attempt.status === 'failed')
      ? true
      : undefined;
  });
  return {
    patchbay,
    environmentId: environment.id,
    connections,
    failedRunId,
    unroutedEventId,
    receiver,
    endpointId: endpoint.body.id,
    failedMessageId,
  };
}
