/**
 * Which connections an event belongs to, by the definition's rule: a header or body value equal
 * to a connection config or metadata key of the integration's connections (Stripe Connect's
 * `account` ↔ metadata `stripeAccountId`, Shopify's shop domain ↔ config `shop`), the connection
 * whose URL token received it, or none (the event belongs to the integration).
 */
import type { WebhookRouting } from '../catalog/index.ts';
import type { Store } from '../store/index.ts';
import { idText, valueAt } from '../values/path.ts';

export interface RoutedConnection {
  id: string;
  endUserId: string;
}

/** `integration`: no connection is expected. `connections`: the matches (empty: unrouted). */
export type RoutingResult =
  | { kind: 'integration' }
  | { kind: 'connections'; connections: RoutedConnection[] };

export interface RouteInput {
  environmentId: string;
  integrationId: string;
  routing: WebhookRouting;
  headers: Readonly<Record<string, string>>;
  /** The parsed body (JSON value or form fields). */
  parsed: unknown;
  /** Connections known at intake (the URL token's connection). */
  knownConnectionIds: readonly string[];
}

/** The routing value a delivery carries (header or body path), as text; null when absent. */
export function routingValue(
  routing: WebhookRouting,
  headers: Readonly<Record<string, string>>,
  parsed: unknown,
): string | null {
  if (routing.from === 'header') return idText(headers[routing.header]) ?? null;
  if (routing.from === 'body') return idText(valueAt(parsed, routing.path)) ?? null;
  return null;
}

export async function routeEvent(store: Pick<Store, 'db'>, input: RouteInput): Promise<RoutingResult> {
  const { routing } = input;
  if (routing.from === 'integration') return { kind: 'integration' };
  if (routing.from === 'url') {
    return {
      kind: 'connections',
      connections: await byIds(store, input.environmentId, input.knownConnectionIds),
    };
  }
  const value = routingValue(routing, input.headers, input.parsed);
  if (value === null) return { kind: 'connections', connections: [] };
  return {
    kind: 'connections',
    connections: await byKey(store, input.environmentId, input.integrationId, routing.connectionKey, value),
  };
}

/**
 * The integration's connections whose config or metadata holds `value` under `key`. Compared in
 * code rather than with the dialects' JSON operators: config and metadata values are compared as
 * text on both, whether stored as a string or a number.
 */
export async function byKey(
  store: Pick<Store, 'db'>,
  environmentId: string,
  integrationId: string,
  key: string,
  value: string,
): Promise<RoutedConnection[]> {
  const rows = await store.db
    .selectFrom('connections')
    .select(['id', 'end_user_id', 'connection_config', 'metadata'])
    .where('environment_id', '=', environmentId)
    .where('integration_id', '=', integrationId)
    .where('status', '!=', 'disconnected')
    .orderBy('id')
    .execute();
  return rows
    .filter((row) => {
      const config = JSON.parse(row.connection_config) as Record<string, unknown>;
      const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
      return idText(config[key]) === value || idText(metadata[key]) === value;
    })
    .map((row) => ({ id: row.id, endUserId: row.end_user_id }));
}

async function byIds(
  store: Pick<Store, 'db'>,
  environmentId: string,
  ids: readonly string[],
): Promise<RoutedConnection[]> {
  if (ids.length === 0) return [];
  const rows = await store.db
    .selectFrom('connections')
    .select(['id', 'end_user_id'])
    .where('environment_id', '=', environmentId)
    .where('id', 'in', [...ids])
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: row.id, endUserId: row.end_user_id }));
}
