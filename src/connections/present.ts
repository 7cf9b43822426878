/** Connection rows (joined with their integration) → the Connection the services return. */
import type { Selectable } from 'kysely';
import type { ConnectionsTable } from '../store/index.ts';
import type { Connection } from './types.ts';

/** A connection row plus the key and provider of its integration. */
export type ConnectionRow = Selectable<ConnectionsTable> & { integration_key: string; provider: string };

/** Never the credentials: Connection has no field for them. */
export function toConnection(row: ConnectionRow): Connection {
  return {
    id: row.id,
    environmentId: row.environment_id,
    integrationId: row.integration_id,
    integrationKey: row.integration_key,
    provider: row.provider,
    endUser: { id: row.end_user_id, email: row.end_user_email, organization: row.end_user_org },
    status: row.status,
    connectionConfig: JSON.parse(row.connection_config) as Record<string, string>,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    expiresAt: row.expires_at,
    lastError:
      row.last_error_code === null
        ? null
        : { code: row.last_error_code, message: row.last_error_message ?? '' },
    lastRefreshedAt: row.last_refreshed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
