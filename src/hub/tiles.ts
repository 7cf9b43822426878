/**
 * The hub's tiles from what the engine knows: pure, so every state is tested without a database.
 * Each enabled integration (or family of them, see HubIntegrationInput.members) is one tile in
 * exactly one state —
 * - `connected`: the end user has connections of it, none failed or paused (a connection that
 *   needs signing in again stays connected, with Reconnect);
 * - `error`: one of them is in `error`, `disconnected`, or paused by the plan;
 * - `locked`: none, and the plan refuses a new one (the lock names the cheapest plan allowing it);
 * - `available`: none, and a new one is allowed;
 * and each provider the host lists as coming soon, without an enabled integration of it, is a
 * `coming_soon` tile.
 */
import type { LockedIntegration } from '../plans/types.ts';
import type { ConnectionStatus } from '../store/index.ts';
import type {
  HubCategory,
  HubConnection,
  HubLock,
  HubPlanRef,
  HubTile,
  HubTileState,
  HubView,
} from './types.ts';

/** What a tile shows of an integration or a provider. */
export interface TileFace {
  provider: string;
  displayName: string;
  description: string;
  logoUrl: string;
  categories: readonly string[];
}

export interface HubIntegrationInput extends TileFace {
  key: string;
  /**
   * The enabled integrations the tile stands for: its own key, or every member of a provider
   * family (stripe and stripe-api-key) that the host enabled — one service, one tile, whose
   * Connect opens the connect page with each way to connect side by side.
   */
  members?: readonly string[];
  /** What a new connection would be refused with (entitlements.integrationStates), or null. */
  lock: LockedIntegration | null;
}

export interface HubConnectionInput {
  id: string;
  integrationKey: string;
  status: ConnectionStatus;
  metadata: Record<string, unknown>;
  connectionConfig: Record<string, string>;
  lastError: { code: string; message: string } | null;
  createdAt: number;
  lastSyncAt: number | null;
  /** Set when the plan pauses it. */
  pausedReason: string | null;
}

export interface HubInput {
  endUserId: string;
  plan: HubPlanRef | null;
  integrations: readonly HubIntegrationInput[];
  comingSoon: readonly TileFace[];
  connections: readonly HubConnectionInput[];
  /** Categories in the order the hub shows them; others follow by name. */
  categoryOrder: readonly string[];
}

/** Metadata keys that name the account at the provider, most telling first. */
const ACCOUNT_KEYS = [
  'accountName',
  'displayName',
  'businessName',
  'name',
  'email',
  'shop',
  'username',
  'accountId',
] as const;

/** The hub's categories and tiles for one end user. */
export function arrangeHub(input: HubInput): HubView {
  const tiles: HubTile[] = [];
  const offeredProviders = new Set(input.integrations.map((integration) => integration.provider));
  for (const integration of input.integrations) {
    const members = integration.members ?? [integration.key];
    const connections = input.connections
      .filter((connection) => members.includes(connection.integrationKey))
      .map((connection) => presentConnection(connection, integration.lock))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    const state = tileState(connections, integration.lock);
    tiles.push({
      key: integration.key,
      ...face(integration),
      state,
      lock: state === 'locked' && integration.lock ? presentLock(integration.lock) : null,
      connections,
    });
  }
  for (const provider of input.comingSoon) {
    if (offeredProviders.has(provider.provider)) continue;
    tiles.push({
      key: provider.provider,
      ...face(provider),
      state: 'coming_soon',
      lock: null,
      connections: [],
    });
  }
  return { endUserId: input.endUserId, plan: input.plan, categories: groupTiles(tiles, input.categoryOrder) };
}

/** The state of a tile with these connections and this lock (see the module comment). */
export function tileState(
  connections: readonly HubConnection[],
  lock: LockedIntegration | null,
): HubTileState {
  if (connections.length > 0) {
    const failing = connections.some(
      (connection) =>
        connection.paused || connection.status === 'error' || connection.status === 'disconnected',
    );
    return failing ? 'error' : 'connected';
  }
  return lock ? 'locked' : 'available';
}

/** The account name a connection is shown with: a naming metadata key, else its first config value. */
export function accountNameOf(
  metadata: Record<string, unknown>,
  config: Record<string, string>,
): string | null {
  for (const key of ACCOUNT_KEYS) {
    const value = metadata[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200);
  }
  const first = Object.values(config).find((value) => value.trim() !== '');
  return first === undefined ? null : first.slice(0, 200);
}

function presentConnection(connection: HubConnectionInput, lock: LockedIntegration | null): HubConnection {
  const paused = connection.pausedReason !== null;
  return {
    id: connection.id,
    status: connection.status,
    paused,
    pausedReason: connection.pausedReason,
    // The lock on a new connection of the integration, with this one not counted (it is paused),
    // names the plan under which it would fit again.
    requiredPlan: paused ? planRef(lock?.details.requiredPlan) : null,
    accountName: accountNameOf(connection.metadata, connection.connectionConfig),
    lastSyncAt: connection.lastSyncAt,
    lastError: connection.lastError,
    needsReconnect: connection.status === 'reauth_required' || connection.status === 'disconnected',
    createdAt: connection.createdAt,
  };
}

function planRef(plan: { key: string; name: string } | null | undefined): HubPlanRef | null {
  return plan ? { key: plan.key, name: plan.name } : null;
}

function presentLock(lock: LockedIntegration): HubLock {
  const details = lock.details;
  return {
    code: lock.code,
    limit: details.limit,
    requiredPlan: planRef(details.requiredPlan),
    category: details.category ?? null,
    max: details.max ?? null,
    usage: details.usage ?? null,
  };
}

function face(source: TileFace) {
  return {
    provider: source.provider,
    displayName: source.displayName,
    description: source.description,
    logoUrl: source.logoUrl,
    category: source.categories[0] ?? 'other',
  };
}

function groupTiles(tiles: readonly HubTile[], order: readonly string[]): HubCategory[] {
  const groups = new Map<string, HubTile[]>();
  for (const tile of tiles) groups.set(tile.category, [...(groups.get(tile.category) ?? []), tile]);
  const rank = (category: string) => {
    const index = order.indexOf(category);
    return index === -1 ? order.length : index;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([category, members]) => ({
      category,
      tiles: [...members].sort(
        (a, b) => a.displayName.localeCompare(b.displayName, 'en') || (a.key < b.key ? -1 : 1),
      ),
    }));
}
