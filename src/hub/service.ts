/**
 * The integrations hub: one end user's page of integrations, opened with a hub session token.
 * Every operation acts for one end user inside one environment, and goes through the engine's
 * services — connections, connect sessions (whose gate checks the plan), syncs, field mappings —
 * so the plan is enforced exactly as for the host's own calls. A connection of another end user
 * is `not_found`, as one of another environment is.
 */
import type { Catalog, ProviderDefinition } from '../catalog/index.ts';
import { CATEGORIES, familyName } from '../catalog/index.ts';
import type { ConnectSession, ConnectSessionsService } from '../connect/types.ts';
import type { Connection, ConnectionsService } from '../connections/types.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import type { IntegrationsService } from '../integrations/types.ts';
import type { EndUsersService } from '../plans/end-users.ts';
import type { Entitlements } from '../plans/entitlements.ts';
import { planName, planRef, planRefusal } from '../plans/rules.ts';
import type { UsageReport } from '../plans/types.ts';
import type { FieldMappingKind } from '../store/index.ts';
import type { FieldMappingRecord, FieldMappingsService } from '../syncs/mappings/index.ts';
import type { SyncRun } from '../syncs/runs.ts';
import type { SyncsService } from '../syncs/service.ts';
import type { HubOptions } from './options.ts';
import type { HubSettingsService } from './settings.ts';
import { arrangeHub, type HubConnectionInput } from './tiles.ts';
import type { HubConnection, HubView } from './types.ts';

/** The outcome of a connection's credential-test call. */
export type HubTestResult =
  | { ok: true; status: number }
  | { ok: false; status: number | null; code: string; message: string };

export interface HubServiceDeps {
  catalog: Pick<Catalog, 'get'>;
  /** The logo URL of a provider, as the connect page shows it. */
  logoUrl(definition: ProviderDefinition): string;
  /** Where browsers reach Patchbay: the connect page a hub opens posts its result to this origin. */
  publicUrl: string;
  integrations: Pick<IntegrationsService, 'list'>;
  connections: Pick<ConnectionsService, 'list' | 'get' | 'delete'>;
  sessions: Pick<ConnectSessionsService, 'create'>;
  entitlements: Pick<Entitlements, 'integrationStates' | 'pausedConnections' | 'planOf' | 'usage'>;
  endUsers: Pick<EndUsersService, 'touch'>;
  syncs: Pick<SyncsService, 'list' | 'trigger' | 'listRuns'>;
  mappings: Pick<FieldMappingsService, 'list' | 'set' | 'delete'>;
  settings: HubSettingsService;
  /** The provider's credential-test call for a connection. */
  testConnection(environmentId: string, connectionId: string): Promise<HubTestResult>;
}

export interface CreateHubSessionInput {
  endUser: { id: string; email?: string | null; organization?: string | null };
  allowedOrigin?: string | null;
  ttlSeconds?: number;
  options?: HubOptions;
}

/** A connection's page in the hub. */
export interface HubConnectionDetail {
  integrationKey: string;
  provider: string;
  displayName: string;
  logoUrl: string;
  connection: HubConnection;
  /** The most recent runs of its syncs, newest first. */
  runs: SyncRun[];
  mappings: FieldMappingRecord[];
  /** Whether the end user may change `mappings` here (the environment's hub setting). */
  mappingsEditable: boolean;
}

export interface HubService {
  /** A hub session for the end user (recorded on first use); the token is returned once. */
  createSession(
    environmentId: string,
    input: CreateHubSessionInput,
  ): Promise<{ session: ConnectSession; token: string }>;
  /** The end user's tiles. */
  view(environmentId: string, endUserId: string): Promise<HubView>;
  /** The end user's usage and limits this month, as the hub shows them. */
  usage(environmentId: string, endUserId: string): Promise<UsageReport>;
  detail(environmentId: string, endUserId: string, connectionId: string): Promise<HubConnectionDetail>;
  /**
   * A connect session for one integration (or to reconnect one of the end user's connections),
   * for the hub to open the connect page with. The plan is checked by the connect session's gate:
   * a locked integration is refused `plan_upgrade_required` / `plan_limit_reached`.
   */
  connect(
    environmentId: string,
    hub: ConnectSession,
    input: { integration: string; connectionId?: string | null | undefined },
  ): Promise<{ token: string; expiresAt: number }>;
  test(environmentId: string, endUserId: string, connectionId: string): Promise<HubTestResult>;
  /** Queues a run of each of the connection's scheduled syncs; refused while the plan pauses it. */
  sync(environmentId: string, endUserId: string, connectionId: string): Promise<{ runIds: string[] }>;
  disconnect(environmentId: string, endUserId: string, connectionId: string): Promise<{ revoked: boolean }>;
  setMapping(
    environmentId: string,
    endUserId: string,
    connectionId: string,
    kind: FieldMappingKind,
    target: string,
    mapping: unknown,
  ): Promise<FieldMappingRecord>;
  deleteMapping(
    environmentId: string,
    endUserId: string,
    connectionId: string,
    kind: FieldMappingKind,
    target: string,
  ): Promise<void>;
}

/** Runs a connection's page lists. */
const RECENT_RUNS = 10;
/** A connect session opened from the hub lasts as long as a sign-in takes. */
const CONNECT_TTL_SECONDS = 1800;

export function createHubService(deps: HubServiceDeps): HubService {
  const patchbayOrigin = new URL(deps.publicUrl).origin;

  async function ownConnection(environmentId: string, endUserId: string, connectionId: string) {
    const connection = await deps.connections.get(environmentId, connectionId);
    // Another end user's connection does not exist for this one.
    if (connection.endUser.id !== endUserId) throw notFound('Connection', connectionId);
    return connection;
  }

  async function lastSyncAt(environmentId: string, connectionId: string): Promise<number | null> {
    const syncs = await deps.syncs.list(environmentId, connectionId);
    const times = syncs.flatMap((sync) =>
      sync.schedule?.lastSuccessAt ? [sync.schedule.lastSuccessAt] : [],
    );
    return times.length === 0 ? null : Math.max(...times);
  }

  async function endUserConnections(environmentId: string, endUserId: string): Promise<Connection[]> {
    const list: Connection[] = [];
    let after: string | undefined;
    do {
      const page = await deps.connections.list(environmentId, {
        endUserId,
        limit: 200,
        ...(after ? { after } : {}),
      });
      list.push(...page.data);
      after = page.nextAfter ?? undefined;
    } while (after);
    return list;
  }

  type EnabledIntegration = Awaited<ReturnType<HubServiceDeps['integrations']['list']>>[number];

  /**
   * The enabled integrations as tiles, by the connect page's rule (src/api/connect/flow-tiles.ts):
   * a provider family (stripe and stripe-api-key) shares one tile when each of its providers is
   * enabled once, headed by the family's own provider when it is among them; two integrations of
   * one provider (two Stripe platforms) stay a tile each. In list order.
   */
  function familyTiles(integrations: readonly EnabledIntegration[]) {
    type Tile = { head: EnabledIntegration; definition: ProviderDefinition; members: string[] };
    const enabled = integrations.flatMap((integration) => {
      const definition = deps.catalog.get(integration.provider);
      return integration.enabled && definition ? [{ integration, definition }] : [];
    });
    const providersOf = new Map<string, string[]>();
    for (const { definition } of enabled) {
      const family = familyName(definition);
      providersOf.set(family, [...(providersOf.get(family) ?? []), definition.name]);
    }
    const shared = (family: string) => {
      const providers = providersOf.get(family) ?? [];
      return providers.length > 1 && new Set(providers).size === providers.length;
    };
    const tiles: Tile[] = [];
    const familyTile = new Map<string, Tile>();
    for (const { integration, definition } of enabled) {
      const family = familyName(definition);
      const tile = shared(family) ? familyTile.get(family) : undefined;
      if (tile === undefined) {
        const created: Tile = { head: integration, definition, members: [integration.key] };
        tiles.push(created);
        if (shared(family)) familyTile.set(family, created);
        continue;
      }
      tile.members.push(integration.key);
      if (definition.name === family) Object.assign(tile, { head: integration, definition });
    }
    return tiles;
  }

  /** The enabled integrations a new connection of the tile `integrationKey` may be made with. */
  async function connectChoices(environmentId: string, integrationKey: string): Promise<string[]> {
    const tiles = familyTiles(await deps.integrations.list(environmentId));
    return tiles.find((tile) => tile.members.includes(integrationKey))?.members ?? [integrationKey];
  }

  async function view(environmentId: string, endUserId: string): Promise<HubView> {
    const [integrations, states, settings, plan, paused, connections] = await Promise.all([
      deps.integrations.list(environmentId),
      deps.entitlements.integrationStates(environmentId, endUserId),
      deps.settings.get(environmentId),
      deps.entitlements.planOf(environmentId, endUserId),
      deps.entitlements.pausedConnections(environmentId, endUserId),
      endUserConnections(environmentId, endUserId),
    ]);
    const locks = new Map(states.map((state) => [state.integrationKey, state.lock]));
    const faceOf = (definition: ProviderDefinition, displayName: string | null) => ({
      provider: definition.name,
      displayName: displayName ?? definition.displayName,
      description: definition.description,
      logoUrl: deps.logoUrl(definition),
      categories: definition.categories,
    });
    const offered = familyTiles(integrations).map(({ head, definition, members }) => {
      // A family is locked only when every way to connect it is; else the tile offers Connect.
      const memberLocks = members.map((key) => locks.get(key) ?? null);
      return {
        key: head.key,
        ...faceOf(definition, head.displayName),
        members,
        lock: memberLocks.some((lock) => lock === null) ? null : (locks.get(head.key) ?? null),
      };
    });
    const comingSoon = settings.comingSoon.flatMap((name) => {
      const definition = deps.catalog.get(name);
      return definition ? [faceOf(definition, null)] : [];
    });
    const offeredKeys = new Set(offered.flatMap((integration) => integration.members));
    const connectionInputs: HubConnectionInput[] = [];
    for (const connection of connections) {
      if (!offeredKeys.has(connection.integrationKey)) continue;
      connectionInputs.push({
        id: connection.id,
        integrationKey: connection.integrationKey,
        status: connection.status,
        metadata: connection.metadata,
        connectionConfig: connection.connectionConfig,
        lastError: connection.lastError,
        createdAt: connection.createdAt,
        lastSyncAt: await lastSyncAt(environmentId, connection.id),
        pausedReason: paused.get(connection.id) ?? null,
      });
    }
    return arrangeHub({
      endUserId,
      plan: plan ? { key: plan.key, name: plan.name } : null,
      integrations: offered,
      comingSoon,
      connections: connectionInputs,
      categoryOrder: CATEGORIES,
    });
  }

  /** The plan's refusal of work on a paused connection, as the engine's other paths give it. */
  async function refuseIfPaused(environmentId: string, endUserId: string, connection: Connection) {
    const paused = await deps.entitlements.pausedConnections(environmentId, endUserId);
    const reason = paused.get(connection.id);
    if (reason === undefined) return;
    const plan = await deps.entitlements.planOf(environmentId, endUserId);
    const lock = (await deps.entitlements.integrationStates(environmentId, endUserId)).find(
      (state) => state.integrationKey === connection.integrationKey,
    )?.lock;
    throw planRefusal(
      'plan_limit_reached',
      reason === 'integration'
        ? `Connection ${connection.id} is paused: ${plan ? planName(plan) : 'the plan'} does not include the integration "${connection.integrationKey}". Upgrade to resume it.`
        : `Connection ${connection.id} is paused: ${plan ? planName(plan) : 'the plan'} allows fewer connections than the end user has. Upgrade, or disconnect another connection to resume it.`,
      {
        limit: 'paused',
        endUserId,
        plan: plan ? planRef(plan) : null,
        integrationKey: connection.integrationKey,
        connectionId: connection.id,
        requiredPlan: lock?.details.requiredPlan ?? null,
      },
    );
  }

  async function editable(environmentId: string) {
    if (!(await deps.settings.get(environmentId)).editableMappings) {
      throw new PatchbayError(
        'forbidden',
        'Field mappings are read-only in this hub; the app can allow editing them with PATCH /v1/hub/settings',
      );
    }
  }

  return {
    async createSession(environmentId, input) {
      const options = input.options ?? {};
      if (options.returnUrl !== undefined) checkReturnUrl(options.returnUrl, input.allowedOrigin ?? null);
      const created = await deps.sessions.create(environmentId, {
        endUser: input.endUser,
        allowedOrigin: input.allowedOrigin ?? null,
        purpose: 'hub',
        options,
        ...(input.ttlSeconds === undefined ? {} : { ttlSeconds: input.ttlSeconds }),
      });
      // Recorded once the session is valid: a refused one leaves no end user behind.
      await deps.endUsers.touch(environmentId, created.session.endUser);
      return created;
    },

    view,

    usage: (environmentId, endUserId) => deps.entitlements.usage(environmentId, endUserId),

    async detail(environmentId, endUserId, connectionId) {
      const connection = await ownConnection(environmentId, endUserId, connectionId);
      const hub = await view(environmentId, endUserId);
      const tile = hub.categories
        .flatMap((category) => category.tiles)
        .find((candidate) => candidate.key === connection.integrationKey);
      const shown = tile?.connections.find((candidate) => candidate.id === connectionId);
      // A connection of a disabled integration has no tile: the hub does not show it.
      if (!tile || !shown) throw notFound('Connection', connectionId);
      const [runs, mappings, settings] = await Promise.all([
        deps.syncs.listRuns(environmentId, { connectionId, limit: RECENT_RUNS }),
        deps.mappings.list(environmentId, connectionId),
        deps.settings.get(environmentId),
      ]);
      return {
        integrationKey: tile.key,
        provider: tile.provider,
        displayName: tile.displayName,
        logoUrl: tile.logoUrl,
        connection: shown,
        runs: runs.data,
        mappings,
        mappingsEditable: settings.editableMappings,
      };
    },

    async connect(environmentId, hub, input) {
      const connectionId = input.connectionId ?? null;
      // A reconnect signs in again where the connection is; a new connection may use any way the
      // tile's family offers (the connect page shows them side by side; its gate checks the plan).
      const allowedIntegrations =
        connectionId === null
          ? await connectChoices(environmentId, input.integration)
          : [(await ownConnection(environmentId, hub.endUser.id, connectionId)).integrationKey];
      const { session, token } = await deps.sessions.create(environmentId, {
        endUser: hub.endUser,
        allowedIntegrations,
        connectionId,
        // The connect page reports to the hub page, which is served by Patchbay itself.
        allowedOrigin: patchbayOrigin,
        ttlSeconds: CONNECT_TTL_SECONDS,
      });
      return { token, expiresAt: session.expiresAt };
    },

    async test(environmentId, endUserId, connectionId) {
      await ownConnection(environmentId, endUserId, connectionId);
      return deps.testConnection(environmentId, connectionId);
    },

    async sync(environmentId, endUserId, connectionId) {
      const connection = await ownConnection(environmentId, endUserId, connectionId);
      await refuseIfPaused(environmentId, endUserId, connection);
      const syncs = await deps.syncs.list(environmentId, connectionId);
      const runIds: string[] = [];
      // The syncs the connection runs: those with a schedule that is not paused.
      for (const sync of syncs) {
        if (!sync.schedule || sync.schedule.paused) continue;
        runIds.push((await deps.syncs.trigger(environmentId, connectionId, sync.name)).runId);
      }
      return { runIds };
    },

    async disconnect(environmentId, endUserId, connectionId) {
      await ownConnection(environmentId, endUserId, connectionId);
      return deps.connections.delete(environmentId, connectionId);
    },

    async setMapping(environmentId, endUserId, connectionId, kind, target, mapping) {
      await ownConnection(environmentId, endUserId, connectionId);
      await editable(environmentId);
      return deps.mappings.set(environmentId, connectionId, kind, target, mapping);
    },

    async deleteMapping(environmentId, endUserId, connectionId, kind, target) {
      await ownConnection(environmentId, endUserId, connectionId);
      await editable(environmentId);
      await deps.mappings.delete(environmentId, connectionId, kind, target);
    },
  };
}

/** A return URL must be an http(s) URL on the session's allowed origin. */
function checkReturnUrl(value: string, allowedOrigin: string | null): void {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  const ok =
    url !== null &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    allowedOrigin !== null &&
    url.origin === allowedOrigin.replace(/\/$/, '').toLowerCase() &&
    url.username === '' &&
    url.password === '';
  if (!ok) {
    throw new PatchbayError(
      'validation_failed',
      'Invalid hub session: options.returnUrl: must be an http(s) URL on allowedOrigin (give allowedOrigin too)',
      { details: { issues: [{ path: 'options.returnUrl', message: 'must be on allowedOrigin' }] } },
    );
  }
}
