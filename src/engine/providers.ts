/**
 * Assembles the providers layer of an engine: the provider catalog, integrations, connections,
 * connect sessions, auth, outbound HTTP with the SSRF guard, the proxy and the refresh
 * coordinator, and the API routes over them. One function, so that createPatchbay stays about
 * the engine's lifecycle and tests can build the same graph.
 */
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { connectFlowRoutes } from '../api/connect/flow.ts';
import { connectInstallRoutes } from '../api/connect/install.ts';
import type { RouteModule } from '../api/index.ts';
import { connectSessionRoutes } from '../api/routes/connect-sessions.ts';
import { connectionRoutes } from '../api/routes/connections.ts';
import { integrationRoutes } from '../api/routes/integrations.ts';
import { proxyRoutes } from '../api/routes/proxy.ts';
import { createAuthService, type EngineAuthService } from '../auth/service.ts';
import { BUILTIN_PROVIDERS_DIR, type Catalog, loadCatalog } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import type { PatchbayConfig } from '../config/index.ts';
import { createConnectSessionsService } from '../connect/sessions.ts';
import type { ConnectSessionGate, ConnectSessionsService } from '../connect/types.ts';
import { type ConnectionHooks, createConnectionHooks } from '../connections/hooks.ts';
import { createRefreshCoordinator } from '../connections/refresh.ts';
import { refreshDueHandlers } from '../connections/refresh-job.ts';
import { createConnectionsService } from '../connections/service.ts';
import type { ConnectionsService } from '../connections/types.ts';
import { createIntegrationsService } from '../integrations/service.ts';
import type { IntegrationsService } from '../integrations/types.ts';
import type { Logger } from '../logger/index.ts';
import { createOutboundHttp, type LookupFn, type OutboundHttp } from '../net/index.ts';
import {
  createProviderCaller,
  createProviderRateLimits,
  createProxyClient,
  createRequestLog,
  type ProviderCaller,
  type ProxyClient,
  type RateLimiterFactory,
  type RefreshCoordinator,
  type RequestLog,
} from '../proxy/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';

export interface ProvidersLayerDeps {
  config: PatchbayConfig;
  store: Store;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  /** DNS resolution for the SSRF guard (tests stub it). */
  lookup?: LookupFn;
  /** The plans layer's checks: what a connect session offers, and each call through `/proxy`. */
  gates?: {
    session?: ConnectSessionGate;
    /** Before a host's proxied call: refuses it (a paused connection, a used-up quota) or counts it. */
    proxyCall?: (environmentId: string, connectionId: string) => Promise<void>;
  };
}

/** The providers layer's services, for library mode and tests. */
export interface ProvidersLayer {
  readonly catalog: Catalog;
  readonly publicUrl: string;
  readonly integrations: IntegrationsService;
  readonly connections: ConnectionsService;
  /** Where other layers subscribe to connection creations (the syncs layer's first runs). */
  readonly connectionHooks: ConnectionHooks;
  readonly sessions: ConnectSessionsService;
  readonly auth: EngineAuthService;
  readonly caller: ProviderCaller;
  readonly refresh: RefreshCoordinator;
  readonly proxy: ProxyClient;
  readonly http: OutboundHttp;
  readonly requestLog: RequestLog;
  /** API route modules of the layer. */
  routes(): RouteModule[];
  /** Handlers of the layer's jobs. */
  jobHandlers(): ReturnType<typeof refreshDueHandlers>;
  /** Flushes the request log, closes the HTTP pools and the shared rate-limit store. */
  close(): Promise<void>;
}

export async function createProvidersLayer(deps: ProvidersLayerDeps): Promise<ProvidersLayer> {
  const { config, store, vault, clock, logger } = deps;
  const catalog = await loadCatalog({ dirs: [BUILTIN_PROVIDERS_DIR, ...config.providerDirs] });
  const publicUrl = (config.publicUrl ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
  const marginMs = config.refreshMarginSeconds * 1000;

  const http = createOutboundHttp({
    allow: config.allowPrivateNetworks,
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
  });
  const requestLog = createRequestLog(store, { clock, logger });
  const shared = await sharedRateLimitStore(config.databaseUrl);
  const createLimiter = shared?.createLimiter;
  const rateLimits = createProviderRateLimits({
    clock,
    logger,
    ...(createLimiter ? { createLimiter } : {}),
  });
  const caller = createProviderCaller({
    http,
    clock,
    logger,
    requestLog,
    rateLimits,
    defaultTimeoutMs: config.proxyTimeoutMs,
    // Connection values may name http:// origins only where the operator allowed loopback.
    allowHttpOrigins: config.allowPrivateNetworks.includes('loopback'),
  });

  const integrations = createIntegrationsService({ store, vault, catalog, clock });
  let auth: EngineAuthService | undefined;
  const connectionHooks = createConnectionHooks();
  const connections = createConnectionsService({
    store,
    vault,
    integrations,
    clock,
    logger,
    hooks: connectionHooks,
    revoke: async (environmentId, connectionId) => {
      if (!auth) return { revoked: false };
      return auth.revoke(await connections.load(environmentId, connectionId));
    },
  });
  auth = createAuthService({
    store,
    vault,
    clock,
    integrations,
    caller,
    fetch: http.fetch,
    publicUrl,
    logger,
  });
  const sessions = createConnectSessionsService({
    store,
    integrations,
    connections,
    clock,
    defaultTtlSeconds: config.connectSessionTtlSeconds,
    ...(deps.gates?.session ? { gate: deps.gates.session } : {}),
  });
  const refresh = createRefreshCoordinator({ store, connections, refresher: auth, clock, logger, marginMs });
  const proxy = createProxyClient({ refresher: refresh, caller, connections });
  const authService = auth;
  // The host's calls through /proxy pass the plans' check; scripts' calls are metered as their runs.
  const proxyCall = deps.gates?.proxyCall;
  const hostProxy: ProxyClient = proxyCall
    ? {
        request: async (environmentId, connectionId, request) => {
          await proxyCall(environmentId, connectionId);
          return proxy.request(environmentId, connectionId, request);
        },
      }
    : proxy;

  return {
    catalog,
    publicUrl,
    integrations,
    connections,
    connectionHooks,
    sessions,
    auth: authService,
    caller,
    refresh,
    proxy,
    http,
    requestLog,
    routes: () => [
      integrationRoutes(integrations),
      connectionRoutes(connections, {
        test: async (environmentId, connectionId) =>
          authService.test(await connections.load(environmentId, connectionId)),
      }),
      connectSessionRoutes(sessions, { publicUrl }),
      connectFlowRoutes({ sessions, auth: authService, integrations, connections, catalog, publicUrl }),
      connectInstallRoutes({ integrations, sessions, auth: authService, publicUrl }),
      proxyRoutes({ proxy: hostProxy }),
    ],
    jobHandlers: () => refreshDueHandlers({ store, coordinator: refresh, clock, logger, marginMs }),
    async close() {
      await requestLog.close();
      await http.close();
      await shared?.close();
    },
  };
}

/**
 * On PostgreSQL (scale-out: several engine processes), provider rate limits are kept in one
 * table, so all processes share one budget per provider account. The embedded SQLite default is
 * one process, where the in-memory limiter is exact.
 */
async function sharedRateLimitStore(
  databaseUrl: string,
): Promise<{ createLimiter: RateLimiterFactory; close(): Promise<void> } | null> {
  if (!/^postgres(ql)?:/.test(databaseUrl)) return null;
  // Loaded only on PostgreSQL, so that the SQLite default does not load the driver at start-up.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // An idle client's error (the server restarted or dropped the connection) is emitted on the pool;
  // without a listener it would crash the process. Queries still fail, and the limiter reports it.
  pool.on('error', () => {});
  const tableName = 'patchbay_rate_limits';
  // The first limiter creates the table (IF NOT EXISTS); the others reuse it.
  await new Promise<void>((resolve, reject) => {
    new RateLimiterPostgres(
      { storeClient: pool, storeType: 'pool', tableName, keyPrefix: 'init', points: 1, duration: 1 },
      (error?: unknown) => (error ? reject(error) : resolve()),
    );
  });
  return {
    createLimiter: ({ keyPrefix, points, duration }) =>
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName,
        tableCreated: true,
        keyPrefix,
        points,
        duration,
      }),
    close: () => pool.end(),
  };
}
