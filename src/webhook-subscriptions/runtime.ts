/**
 * What the parts of the webhook subscriptions service share: their dependencies, the provider
 * scripts, and the writes of the module's one table.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { HookConnection } from '../connections/hooks.ts';
import type { Connection, ConnectionsService } from '../connections/types.ts';
import { isPatchbayError } from '../errors/index.ts';
import type { IntegrationsService } from '../integrations/types.ts';
import type { Logger } from '../logger/index.ts';
import type { Credentials, ResolvedIntegration } from '../ports/connections.ts';
import type { TransactionalQueue } from '../queue/index.ts';
import type { ScriptConnection, ScriptContext, WebhookSubscriptionsDefinition } from '../scripting/types.ts';
import type { Database } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import { type RowSecrets, rowSecrets, type SubscriptionRow } from './rows.ts';

/** What a script context for a deleted connection is made of (its saved credentials). */
export interface DetachedConnection {
  environmentId: string;
  connectionId: string;
  integration: ResolvedIntegration;
  endUserId: string;
  connectionConfig: Record<string, string>;
  metadata: Record<string, unknown>;
  credentials: Credentials;
  signal: AbortSignal;
  log: Logger;
}

export interface WebhookSubscriptionsDeps {
  db: Kysely<Database>;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  queue: Pick<TransactionalQueue, 'enqueueManyIn'>;
  /** Where providers reach Patchbay: the URLs registered start with it. */
  publicUrl: string;
  /** The `webhooks/subscriptions` script of each provider that has one (a variant's is its provider's). */
  scripts: ReadonlyMap<string, WebhookSubscriptionsDefinition>;
  connections: Pick<ConnectionsService, 'get'>;
  integrations: Pick<IntegrationsService, 'resolve'>;
  /** The script context of a connection: what syncs and actions get. */
  contextFor(args: {
    environmentId: string;
    connectionId: string;
    signal: AbortSignal;
    log: Logger;
  }): Promise<ScriptContext>;
  /** A script context over a deleted connection's saved credentials (no refresh: the row is gone). */
  detachedContextFor(connection: DetachedConnection): ScriptContext;
}

/** The keys of a new row. */
export interface RowKeys {
  environmentId: string;
  connectionId: string;
  integrationId: string;
  provider: string;
}

export interface Runtime {
  readonly deps: WebhookSubscriptionsDeps;
  readonly secrets: RowSecrets;
  scriptOf(provider: string): WebhookSubscriptionsDefinition | null;
  /** Whether the script registers for this connection; a throwing `appliesTo` counts as yes (the job reports it). */
  applies(script: WebhookSubscriptionsDefinition, connection: ScriptConnection): boolean;
  insertRow(trx: Kysely<Database>, row: RowKeys, status: 'pending' | 'not_managed'): Promise<void>;
  update(
    executor: Kysely<Database>,
    environmentId: string,
    connectionId: string,
    values: Partial<Omit<SubscriptionRow, 'connection_id' | 'environment_id' | 'created_at'>>,
  ): Promise<void>;
}

/** Never aborts: for calls made outside a job (the API's, tests'). */
export const NEVER: AbortSignal = new AbortController().signal;

export function createRuntime(deps: WebhookSubscriptionsDeps): Runtime {
  const { clock, logger } = deps;
  return {
    deps,
    secrets: rowSecrets(deps.vault),
    scriptOf: (provider) => deps.scripts.get(provider) ?? null,

    applies(script, connection) {
      if (!script.appliesTo) return true;
      try {
        return script.appliesTo(connection) !== false;
      } catch (error) {
        logger.warn(
          { connectionId: connection.id, provider: connection.provider, errorCode: errorCodeOf(error) },
          'appliesTo of the webhook subscriptions script threw; registering',
        );
        return true;
      }
    },

    async insertRow(trx, row, status) {
      const now = clock.now();
      await trx
        .insertInto('webhook_subscriptions')
        .values({
          connection_id: row.connectionId,
          environment_id: row.environmentId,
          integration_id: row.integrationId,
          provider: row.provider,
          status,
          subscriptions: '[]',
          secrets: null,
          url_token: null,
          url_token_hash: null,
          removal: null,
          generation: 0,
          error_code: null,
          error_message: null,
          failures: 0,
          registered_at: null,
          checked_at: status === 'not_managed' ? now : null,
          removed_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },

    async update(executor, environmentId, connectionId, values) {
      await executor
        .updateTable('webhook_subscriptions')
        .set({ ...values, updated_at: clock.now() })
        .where('environment_id', '=', environmentId)
        .where('connection_id', '=', connectionId)
        .execute();
    },
  };
}

export function rowKeys(connection: Connection): RowKeys {
  return {
    environmentId: connection.environmentId,
    connectionId: connection.id,
    integrationId: connection.integrationId,
    provider: connection.provider,
  };
}

/** The connection as scripts see it. */
export function scriptConnection(connection: Connection): ScriptConnection {
  return {
    id: connection.id,
    environmentId: connection.environmentId,
    integrationId: connection.integrationId,
    provider: connection.provider,
    endUserId: connection.endUser.id,
    config: connection.connectionConfig,
    metadata: connection.metadata,
  };
}

/** The same, from what a connection hook says. */
export function hookIdentity(
  environmentId: string,
  connectionId: string,
  provider: string,
  connection: HookConnection,
): ScriptConnection {
  return {
    id: connectionId,
    environmentId,
    integrationId: connection.integrationId,
    provider,
    endUserId: connection.endUserId,
    config: connection.connectionConfig,
    metadata: connection.metadata,
  };
}

export function errorCodeOf(error: unknown): string {
  return isPatchbayError(error) ? error.code : 'unexpected';
}
