/**
 * The webhook subscriptions service: registers each connection's webhooks at the provider with
 * the provider's `webhooks/subscriptions` script, keeps what the provider answered (ids, and the
 * signing secrets encrypted), repairs drift, and removes them once the connection is deleted —
 * all in jobs, never in the request that created or deleted the connection. It writes only its
 * own table; the connections module tells it about changes through its hooks.
 */
import { PatchbayError } from '../errors/index.ts';
import type { WebhookSubscriptionStatus } from '../store/index.ts';
import { checkDue } from './due.ts';
import { syncJobOf } from './jobs.ts';
import { createRemoval, REMOVAL_SETTLE_MS } from './removal.ts';
import { findRow, isRemoval, REMOVAL_STATUSES, tokenHash, viewOf } from './rows.ts';
import {
  createRuntime,
  hookIdentity,
  rowKeys,
  scriptConnection,
  type WebhookSubscriptionsDeps,
} from './runtime.ts';
import { createSync } from './sync.ts';
import type { WebhookSubscriptionsService, WebhookSubscriptionsView } from './types.ts';

/** Each connection is checked against the provider about this often. */
export const CHECK_INTERVAL_MS = 6 * 3_600_000;

/** Rows of deleted connections (removed, or removal failed) are kept this long for the API. */
export const REMOVED_RETENTION_MS = 30 * 86_400_000;

export function createWebhookSubscriptionsService(
  deps: WebhookSubscriptionsDeps,
): WebhookSubscriptionsService {
  const { db, clock, queue } = deps;
  const rt = createRuntime(deps);
  const { secrets, scriptOf, applies, insertRow } = rt;
  const sync = createSync(rt);
  const removal = createRemoval(rt);

  function scriptTopics(provider: string): string[] {
    return [...(scriptOf(provider)?.topics ?? [])];
  }

  async function view(environmentId: string, connectionId: string): Promise<WebhookSubscriptionsView> {
    const row = await findRow(db, environmentId, connectionId);
    if (row) return viewOf(row, scriptTopics(row.provider));
    const connection = await deps.connections.get(environmentId, connectionId);
    const script = scriptOf(connection.provider);
    const managed = script !== null && applies(script, scriptConnection(connection));
    return {
      connectionId,
      provider: connection.provider,
      managed,
      // No row yet (a connection older than its provider's script): the scheduled check registers it.
      status: managed ? 'pending' : 'not_managed',
      topics: managed ? scriptTopics(connection.provider).sort() : [],
      subscriptions: [],
      hasSecret: false,
      error: null,
      failures: 0,
      registeredAt: null,
      checkedAt: null,
      removedAt: null,
    };
  }

  return {
    async connectionCreated(event) {
      const script = scriptOf(event.provider);
      if (!script) return;
      const identity = hookIdentity(
        event.environmentId,
        event.connectionId,
        event.provider,
        event.connection,
      );
      const row = {
        environmentId: event.environmentId,
        connectionId: event.connectionId,
        integrationId: event.connection.integrationId,
        provider: event.provider,
      };
      if (!applies(script, identity)) {
        await insertRow(event.trx, row, 'not_managed');
        return;
      }
      await insertRow(event.trx, row, 'pending');
      await queue.enqueueManyIn(event.trx, [syncJobOf(event.environmentId, event.connectionId, false)]);
    },

    async connectionReconnected(event) {
      const script = scriptOf(event.provider);
      const existing = await findRow(event.trx, event.environmentId, event.connectionId);
      if (!script && !existing) return;
      if (!existing) {
        const identity = hookIdentity(
          event.environmentId,
          event.connectionId,
          event.provider,
          event.connection,
        );
        const applicable = script !== null && applies(script, identity);
        await insertRow(
          event.trx,
          {
            environmentId: event.environmentId,
            connectionId: event.connectionId,
            integrationId: event.connection.integrationId,
            provider: event.provider,
          },
          applicable ? 'pending' : 'not_managed',
        );
        if (!applicable) return;
      }
      // New credentials may be another account's: list there and repair (the job decides, from
      // the reconnected connection, whether the script still applies).
      await queue.enqueueManyIn(event.trx, [syncJobOf(event.environmentId, event.connectionId, true)]);
    },

    connectionDeleted: (event) => removal.connectionDeleted(event),

    sync,
    remove: (environmentId, connectionId, options) => removal.remove(environmentId, connectionId, options),

    checkDue: (limit) =>
      checkDue(
        {
          db,
          clock,
          queue,
          scripts: deps.scripts,
          applies,
          insertRow,
          checkIntervalMs: CHECK_INTERVAL_MS,
          retentionMs: REMOVED_RETENTION_MS,
          settleMs: REMOVAL_SETTLE_MS,
        },
        limit,
      ),

    get: view,

    async requestCheck(environmentId, connectionId) {
      const current = await view(environmentId, connectionId);
      if (!current.managed || isRemoval(current.status as WebhookSubscriptionStatus)) {
        throw new PatchbayError(
          'conflict',
          current.managed
            ? `Connection ${connectionId} was deleted; its webhook subscriptions are ${current.status}`
            : `Patchbay registers no webhooks for connection ${connectionId} (${current.provider})`,
          { details: { connectionId, status: current.status } },
        );
      }
      await db.transaction().execute(async (trx) => {
        if (!(await findRow(trx, environmentId, connectionId))) {
          const connection = await deps.connections.get(environmentId, connectionId);
          await insertRow(trx, rowKeys(connection), 'pending');
        }
        await queue.enqueueManyIn(trx, [syncJobOf(environmentId, connectionId, true)]);
      });
      return view(environmentId, connectionId);
    },

    async findByWebhookToken(environmentId, integrationId, token) {
      const row = await db
        .selectFrom('webhook_subscriptions')
        .select('connection_id')
        .where('url_token_hash', '=', tokenHash(token))
        .where('environment_id', '=', environmentId)
        .where('integration_id', '=', integrationId)
        .where('status', 'not in', [...REMOVAL_STATUSES])
        .executeTakeFirst();
      return row?.connection_id ?? null;
    },

    async webhookSecrets(environmentId, ids) {
      const found = new Map<string, string[]>();
      if (ids.length === 0) return found;
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('connection_id', 'in', [...ids])
        .where('secrets', 'is not', null)
        .execute();
      for (const row of rows) found.set(row.connection_id, Object.values(secrets.secrets(row)));
      return found;
    },
  };
}
