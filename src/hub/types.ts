/**
 * The integrations hub as data: what `GET /v1/end-users/{id}/hub` returns and the hub page draws.
 * One tile per enabled integration (and per provider the host lists as coming soon), grouped by
 * the provider's first category, each in exactly one state.
 */
import type { ConnectionStatus } from '../store/index.ts';

/** A tile's state: what the end user can do with it. */
export type HubTileState = 'connected' | 'available' | 'locked' | 'coming_soon' | 'error';

export interface HubPlanRef {
  key: string;
  name: string;
}

/** Why a tile is locked: what a new connection would be refused with. */
export interface HubLock {
  code: 'plan_upgrade_required' | 'plan_limit_reached';
  /** `integration`, `connections` or `category`. */
  limit: string;
  /** The cheapest plan that allows it; null when no plan does. */
  requiredPlan: HubPlanRef | null;
  category: string | null;
  max: number | null;
  usage: number | null;
}

/** One of the end user's connections on a tile. */
export interface HubConnection {
  id: string;
  status: ConnectionStatus;
  /** Paused by the plan (kept, but its syncs and calls stop until an upgrade). */
  paused: boolean;
  /** `connections`, `category:<name>` or `integration`, when paused. */
  pausedReason: string | null;
  /** The plan that would resume it, when paused and one does. */
  requiredPlan: HubPlanRef | null;
  /** A name of the account at the provider, when the connection's metadata has one. */
  accountName: string | null;
  /** The last successful sync of any of its syncs (epoch ms). */
  lastSyncAt: number | null;
  lastError: { code: string; message: string } | null;
  /** The end user must sign in again (reauth_required or disconnected). */
  needsReconnect: boolean;
  createdAt: number;
}

export interface HubTile {
  /** The integration's key; for a coming-soon tile, the provider's name. */
  key: string;
  provider: string;
  displayName: string;
  description: string;
  logoUrl: string;
  category: string;
  state: HubTileState;
  /** Set when `state` is `locked`. */
  lock: HubLock | null;
  /** The end user's connections of the integration (empty unless connected or error). */
  connections: HubConnection[];
}

export interface HubCategory {
  category: string;
  tiles: HubTile[];
}

export interface HubView {
  endUserId: string;
  plan: HubPlanRef | null;
  categories: HubCategory[];
}
