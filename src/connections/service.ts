/**
 * The connections service: one end user's accounts, their encrypted credentials, and the
 * `connection.*` events, each written in the transaction of the change it reports. Implements
 * ConnectionAccess for the proxy and the refresher.
 */
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { EndUser } from '../connect/types.ts';
import { isPatchbayError, notFound, PatchbayError } from '../errors/index.ts';
import { appendEvent, type ConnectionEventData } from '../events/index.ts';
import { type IdFactory, isId, newId } from '../ids/index.ts';
import { isForeignKeyViolation } from '../integrations/db-errors.ts';
import type { IntegrationsService } from '../integrations/index.ts';
import { type Logger, redactString } from '../logger/index.ts';
import type { ConnectionContext, Credentials } from '../ports/connections.ts';
import { type Database, marker, prepare, type Store } from '../store/index.ts';
import { checkValueDepth } from '../values/json-depth.ts';
import type { Vault } from '../vault/index.ts';
import { checkCredentials, credentialsExpiry, openCredentials, sealCredentials } from './credentials.ts';
import type { ConnectionHooks, HookConnection } from './hooks.ts';
import { type ConnectionRow, toConnection } from './present.ts';
import type { ConnectionRevoker, ConnectionsService, SaveConnectionInput } from './types.ts';
import { bumpUpdatedAt } from './updated-at.ts';
import { connectionWebhookCredentials } from './webhooks.ts';

export interface ConnectionsServiceOptions {
  store: Pick<Store, 'db'>;
  vault: Vault;
  integrations: IntegrationsService;
  clock: Clock;
  /** Revokes a grant at the provider before a connection is deleted (the auth module's). */
  revoke?: ConnectionRevoker;
  /** Where a failed revocation is reported (its error code only). */
  logger?: Logger;
  /** Listeners of creations and deletions (first sync runs, per-connection data); see hooks.ts. */
  hooks?: ConnectionHooks;
  ids?: IdFactory;
}

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;
/** Largest metadata object kept per connection (JSON characters). */
export const MAX_METADATA_LENGTH = 16_384;
/** Longest last-error message kept (provider error descriptions can be long). */
const MAX_ERROR_MESSAGE = 500;

/** Creates the connections service. */
export function createConnectionsService(options: ConnectionsServiceOptions): ConnectionsService {
  const { vault, integrations, clock, revoke, logger, hooks } = options;
  const db = options.store.db;
  const ids = options.ids ?? newId;
  const outbox = { clock, newId: ids };

  const selectRows = (executor: Kysely<Database>, environmentId: string) =>
    executor
      .selectFrom('connections')
      .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
      .selectAll('connections')
      .select(['integrations.key as integration_key', 'integrations.provider as provider'])
      .where('connections.environment_id', '=', environmentId);

  async function findRow(
    executor: Kysely<Database>,
    environmentId: string,
    id: string,
  ): Promise<ConnectionRow> {
    const row = await selectRows(executor, environmentId).where('connections.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Connection', id.slice(0, 100));
    return row;
  }

  /**
   * The end user must connect again: the provider refused the credentials (`reauth_required`) or
   * reported the grant revoked (`disconnected`, which nothing but a reconnect undoes). The status
   * condition makes concurrent callers race for one row change, and only the winner writes
   * `connection.reauth_required`; a connection already waiting for its user is not announced
   * twice.
   */
  async function markNeedsConnecting(
    trx: Kysely<Database>,
    environmentId: string,
    connectionId: string,
    status: 'reauth_required' | 'disconnected',
    reason: { code: string; message: string },
  ): Promise<void> {
    const lastError = cleanReason(reason);
    const row = await findRow(trx, environmentId, connectionId);
    // Revoked is the stronger of the two: a refresh refused afterwards changes nothing.
    if (row.status === status || row.status === 'disconnected') return;
    const result = await trx
      .updateTable('connections')
      .set({
        status,
        last_error_code: lastError.code,
        last_error_message: lastError.message,
        updated_at: bumpUpdatedAt(clock.now()),
      })
      .where('environment_id', '=', environmentId)
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0 || row.status === 'reauth_required') return;
    await appendEvent(
      trx,
      { environmentId, type: 'connection.reauth_required', data: { ...eventData(row), reason: lastError } },
      outbox,
    );
  }

  // load() runs for every proxied request: one query for the connection and the integration
  // columns resolveRow() needs. Its SQL never changes, so Kysely builds and compiles it once
  // (which costs more than running it on SQLite) and each call binds its own values where the
  // markers are.
  const loadQuery = prepare(
    db
      .selectFrom('connections')
      .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
      .selectAll('connections')
      .select([
        'integrations.environment_id as integration_environment_id',
        'integrations.key as integration_key',
        'integrations.provider as integration_provider',
        'integrations.client_id as integration_client_id',
        'integrations.client_secret as integration_client_secret',
        'integrations.scopes as integration_scopes',
        'integrations.settings as integration_settings',
      ])
      .where('connections.environment_id', '=', marker('environment'))
      .where('connections.id', '=', marker('connection'))
      .where('integrations.environment_id', '=', marker('environment'))
      .compile(),
  );

  async function load(environmentId: string, connectionId: string): Promise<ConnectionContext> {
    const [row] = (await db.executeQuery(loadQuery({ environment: environmentId, connection: connectionId })))
      .rows;
    if (!row) throw notFound('Connection', connectionId.slice(0, 100));
    if (row.credentials === null) {
      throw new PatchbayError(
        'internal_error',
        `Connection ${row.id} has no stored credentials; reconnect it`,
      );
    }
    const integration = integrations.resolveRow({
      id: row.integration_id,
      environment_id: row.integration_environment_id,
      key: row.integration_key,
      provider: row.integration_provider,
      client_id: row.integration_client_id,
      client_secret: row.integration_client_secret,
      scopes: row.integration_scopes,
      settings: row.integration_settings,
    });
    return {
      id: row.id,
      environmentId: row.environment_id,
      status: row.status,
      endUserId: row.end_user_id,
      connectionConfig: JSON.parse(row.connection_config) as Record<string, string>,
      metadata: JSON.parse(row.metadata) as Record<string, unknown>,
      integration,
      credentials: openCredentials(vault, row.id, row.credentials),
      expiresAt: row.expires_at,
      updatedAt: row.updated_at,
    };
  }

  async function create(environmentId: string, input: SaveConnectionInput, endUser: EndUser) {
    const integration = await integrations.get(environmentId, input.integrationId);
    const now = clock.now();
    const id = ids('connection', now);
    const row: ConnectionRow = {
      id,
      environment_id: environmentId,
      integration_id: integration.id,
      end_user_id: endUser.id,
      end_user_email: endUser.email,
      end_user_org: endUser.organization,
      status: 'active',
      credentials: sealCredentials(vault, id, input.credentials),
      expires_at: credentialsExpiry(input.credentials),
      connection_config: JSON.stringify(input.connectionConfig),
      metadata: JSON.stringify(input.metadata),
      last_error_code: null,
      last_error_message: null,
      refresh_failures: 0,
      last_refreshed_at: null,
      created_at: now,
      updated_at: now,
      webhook_secret: null,
      webhook_token_hash: null,
      integration_key: integration.key,
      provider: integration.provider,
    };
    const { integration_key: _key, provider: _provider, ...columns } = row;
    try {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('connections').values(columns).execute();
        await appendEvent(trx, { environmentId, type: 'connection.created', data: eventData(row) }, outbox);
        await hooks?.created({
          trx,
          environmentId,
          connectionId: id,
          provider: integration.provider,
          connection: hookConnection(row),
          endUserId: endUser.id,
        });
      });
    } catch (error) {
      // The integration was deleted since it was read.
      if (isForeignKeyViolation(error)) throw notFound('Integration', input.integrationId.slice(0, 100));
      throw error;
    }
    return toConnection(row);
  }

  async function reconnect(
    environmentId: string,
    connectionId: string,
    input: SaveConnectionInput,
    endUser: EndUser,
  ) {
    const integration = await integrations.get(environmentId, input.integrationId);
    const envelope = sealCredentials(vault, connectionId, input.credentials);
    const result = await db.transaction().execute(async (trx) => {
      const row = await findRow(trx, environmentId, connectionId);
      if (row.integration_id !== integration.id) {
        throw new PatchbayError(
          'conflict',
          `Connection ${row.id} belongs to integration "${row.integration_key}", not "${integration.key}"; reconnect it through its own integration`,
          { details: { connectionId: row.id, integrationKey: row.integration_key } },
        );
      }
      if (row.end_user_id !== endUser.id) {
        throw new PatchbayError(
          'conflict',
          `Connection ${row.id} belongs to another end user; only its own end user can reconnect it`,
          { details: { connectionId: row.id } },
        );
      }
      const now = clock.now();
      const changes = {
        end_user_email: endUser.email ?? row.end_user_email,
        end_user_org: endUser.organization ?? row.end_user_org,
        status: 'active' as const,
        credentials: envelope,
        expires_at: credentialsExpiry(input.credentials),
        connection_config: JSON.stringify(input.connectionConfig),
        // Host-set values survive a reconnect; facts read from the new grant replace old ones.
        metadata: JSON.stringify({ ...(JSON.parse(row.metadata) as object), ...input.metadata }),
        last_error_code: null,
        last_error_message: null,
        refresh_failures: 0,
        updated_at: Math.max(now, row.updated_at + 1),
      };
      await trx
        .updateTable('connections')
        .set(changes)
        .where('environment_id', '=', environmentId)
        .where('id', '=', row.id)
        .execute();
      const updated = { ...row, ...changes };
      await appendEvent(
        trx,
        { environmentId, type: 'connection.reconnected', data: eventData(updated) },
        outbox,
      );
      await hooks?.reconnected({
        trx,
        environmentId,
        connectionId: row.id,
        provider: row.provider,
        connection: hookConnection(updated),
        endUserId: row.end_user_id,
      });
      return toConnection(updated);
    });
    return result;
  }

  return {
    load,

    async save(environmentId, input) {
      const endUser = checkEndUser(input.endUser);
      checkCredentials(input.credentials);
      checkConnectionConfig(input.connectionConfig);
      checkMetadata(input.metadata);
      return input.connectionId
        ? reconnect(environmentId, input.connectionId, input, endUser)
        : create(environmentId, input, endUser);
    },

    async list(environmentId, filter = {}) {
      const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_LIST_LIMIT), 1), MAX_LIST_LIMIT);
      const integration = filter.integration;
      const rows = await selectRows(db, environmentId)
        .$if(integration !== undefined, (query) =>
          isId('integration', integration!)
            ? query.where('connections.integration_id', '=', integration!)
            : query.where('integrations.key', '=', integration!),
        )
        .$if(filter.endUserId !== undefined, (query) =>
          query.where('connections.end_user_id', '=', filter.endUserId!),
        )
        .$if(filter.status !== undefined, (query) => query.where('connections.status', '=', filter.status!))
        .$if(filter.after !== undefined, (query) => query.where('connections.id', '>', filter.after!))
        .orderBy('connections.id')
        .limit(limit + 1)
        .execute();
      const data = rows.slice(0, limit).map(toConnection);
      return { data, nextAfter: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
    },

    async get(environmentId, id) {
      return toConnection(await findRow(db, environmentId, id));
    },

    async updateMetadata(environmentId, id, patch) {
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
        throw new PatchbayError('validation_failed', 'Metadata must be a JSON object');
      }
      checkValueDepth(patch, 'Connection metadata');
      return db.transaction().execute(async (trx) => {
        const row = await findRow(trx, environmentId, id);
        const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
        for (const [key, value] of Object.entries(patch)) {
          if (value === null) delete metadata[key];
          else metadata[key] = value;
        }
        checkMetadata(metadata);
        const changes = {
          metadata: JSON.stringify(metadata),
          updated_at: Math.max(clock.now(), row.updated_at + 1),
        };
        await trx
          .updateTable('connections')
          .set(changes)
          .where('environment_id', '=', environmentId)
          .where('id', '=', row.id)
          .execute();
        return toConnection({ ...row, ...changes });
      });
    },

    ...connectionWebhookCredentials({ db, vault, clock }),

    async delete(environmentId, id) {
      await findRow(db, environmentId, id);
      let revoked = false;
      if (revoke) {
        try {
          revoked = (await revoke(environmentId, id)).revoked;
        } catch (error) {
          // Best effort: the user asked to disconnect, so the deletion goes on. Only the code is
          // logged: a provider's error text can quote the token that was being revoked.
          logger?.warn(
            { connectionId: id, errorCode: isPatchbayError(error) ? error.code : 'unexpected' },
            'revoking the connection at the provider failed; deleting it anyway',
          );
        }
      }
      await db.transaction().execute(async (trx) => {
        const row = await findRow(trx, environmentId, id);
        await trx
          .deleteFrom('connections')
          .where('environment_id', '=', environmentId)
          .where('id', '=', row.id)
          .execute();
        await trx.deleteFrom('connection_locks').where('connection_id', '=', row.id).execute();
        // The modules keeping the connection's data without a foreign key to it (synced records,
        // cached provider answers; migration 0006 says why) remove it. After the connection's
        // row: a sync batch still writing holds its schedule row, which the deletion above
        // cascades to and so waits for; the listeners then see that batch's rows too.
        await hooks?.deleted({
          trx,
          environmentId,
          connectionId: row.id,
          provider: row.provider,
          connection: hookConnection(row),
          // Decrypted only for a listener that asks (one that must still call the provider).
          credentials: () =>
            row.credentials === null ? null : openCredentials(vault, row.id, row.credentials),
          endUserId: row.end_user_id,
        });
        await appendEvent(
          trx,
          { environmentId, type: 'connection.deleted', data: { ...eventData(row), revoked } },
          outbox,
        );
      });
      return { revoked };
    },

    async storeRefreshed(environmentId, connectionId, credentials: Credentials) {
      const envelope = sealCredentials(vault, connectionId, credentials);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        // One statement: the old and new refresh tokens are never both half-stored.
        const result = await trx
          .updateTable('connections')
          .set({
            credentials: envelope,
            expires_at: credentialsExpiry(credentials),
            status: 'active',
            last_error_code: null,
            last_error_message: null,
            refresh_failures: 0,
            last_refreshed_at: now,
            updated_at: bumpUpdatedAt(now),
          })
          .where('environment_id', '=', environmentId)
          .where('id', '=', connectionId)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw notFound('Connection', connectionId.slice(0, 100));
      });
      return load(environmentId, connectionId);
    },

    async markReauthRequired(environmentId, connectionId, reason) {
      await db
        .transaction()
        .execute((trx) => markNeedsConnecting(trx, environmentId, connectionId, 'reauth_required', reason));
    },

    async getIn(trx, environmentId, id) {
      return toConnection(await findRow(trx, environmentId, id));
    },

    async markRevokedIn(trx, environmentId, connectionId, reason) {
      await markNeedsConnecting(trx, environmentId, connectionId, 'disconnected', reason);
    },

    async recordRefreshFailure(environmentId, connectionId, reason) {
      const lastError = cleanReason(reason);
      // updated_at is left alone: no credential was written, and a refresher compares it.
      const result = await db
        .updateTable('connections')
        .set({
          refresh_failures: sql<number>`${sql.ref('refresh_failures')} + 1`,
          last_error_code: lastError.code,
          last_error_message: lastError.message,
        })
        .where('environment_id', '=', environmentId)
        .where('id', '=', connectionId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('Connection', connectionId.slice(0, 100));
    },
  };
}

/** What hook listeners learn of a connection: never its credentials. */
function hookConnection(row: ConnectionRow): HookConnection {
  return {
    integrationId: row.integration_id,
    endUserId: row.end_user_id,
    connectionConfig: JSON.parse(row.connection_config) as Record<string, string>,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  };
}

function eventData(row: ConnectionRow): ConnectionEventData {
  return {
    connectionId: row.id,
    integrationId: row.integration_id,
    integrationKey: row.integration_key,
    provider: row.provider,
    endUserId: row.end_user_id,
  };
}

function checkEndUser(endUser: EndUser): EndUser {
  const id = typeof endUser?.id === 'string' ? endUser.id.trim() : '';
  if (id === '' || id.length > 255) {
    throw new PatchbayError('validation_failed', 'endUser.id must be 1 to 255 characters', {
      details: { issues: [{ path: 'endUser.id', message: 'must be 1 to 255 characters' }] },
    });
  }
  return { id, email: endUser.email ?? null, organization: endUser.organization ?? null };
}

function checkConnectionConfig(config: Record<string, string>): void {
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'string') {
      throw new PatchbayError('validation_failed', `connectionConfig.${key} must be a string`, {
        details: { issues: [{ path: `connectionConfig.${key}`, message: 'must be a string' }] },
      });
    }
  }
}

/** Depth first: JSON.stringify, which measures the size, recurses. */
function checkMetadata(metadata: Record<string, unknown>): void {
  checkValueDepth(metadata, 'Connection metadata');
  if (JSON.stringify(metadata).length > MAX_METADATA_LENGTH) {
    throw new PatchbayError(
      'validation_failed',
      `Connection metadata is limited to ${MAX_METADATA_LENGTH} characters of JSON; store large data in your own database`,
    );
  }
}

/** A reason as stored and shown: redacted (it may quote a provider's answer) and capped. */
function cleanReason(reason: { code: string; message: string }): { code: string; message: string } {
  return {
    code: reason.code.slice(0, 100),
    message: redactString(reason.message, MAX_ERROR_MESSAGE),
  };
}
