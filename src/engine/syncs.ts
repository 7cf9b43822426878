/**
 * Assembles the script runtime: provider scripts (syncs and actions) loaded from the provider
 * folders, the records store, field mappings, the proxy's response cache, the sync runner and
 * scheduler, actions, and their routes and jobs. Scripts reach providers only through the
 * providers layer's proxy client, so auth, refresh, rate limits and retries apply to every call.
 */

import type { Kysely } from 'kysely';
import { type ActionsService, actionHandlers, createActionsService } from '../actions/index.ts';
import type { RouteModule } from '../api/index.ts';
import { actionRoutes } from '../api/routes/actions.ts';
import { cacheRoutes } from '../api/routes/cache.ts';
import { fieldMappingRoutes } from '../api/routes/field-mappings.ts';
import { importRoutes } from '../api/routes/imports.ts';
import { identityTransform, recordRoutes } from '../api/routes/records.ts';
import { syncRoutes } from '../api/routes/syncs.ts';
import { BUILTIN_PROVIDERS_DIR, renderTemplate } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import type { PatchbayConfig } from '../config/index.ts';
import type { ConnectionHooks } from '../connections/hooks.ts';
import { PatchbayError } from '../errors/index.ts';
import { newId } from '../ids/index.ts';
import type { TriggerRegistry } from '../inbound/triggers.ts';
import type { Logger } from '../logger/index.ts';
import type { Entitlements } from '../plans/entitlements.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import { createResponseCache, type ResponseCache } from '../proxy/cache.ts';
import { templateValuesOf } from '../proxy/values.ts';
import type { JobHandlers, TransactionalJobQueue } from '../queue/index.ts';
import { getAction, getSync, loadScripts } from '../scripting/loader.ts';
import { paginate } from '../scripting/paginate.ts';
import { createScriptProxy, type SendProviderRequest } from '../scripting/script-proxy.ts';
import type {
  ProviderScripts,
  ScriptConnection,
  ScriptContext,
  ScriptRegistry,
  SyncDefinition,
} from '../scripting/types.ts';
import type { Database, Store } from '../store/index.ts';
import {
  createFieldMappings,
  type FieldMappingsService,
  type PathSchema,
  type ProviderTargets,
} from '../syncs/mappings/index.ts';
import { createRecordsRepository, prepareRecord, type RecordsRepository } from '../syncs/records/index.ts';
import { createRecordsHooks, type RecordsHooks } from '../syncs/records-hooks.ts';
import { createRunLock } from '../syncs/run-lock.ts';
import { createSyncRunner, type SyncRunner } from '../syncs/runner.ts';
import { createRunsRepository } from '../syncs/runs.ts';
import { createSyncScheduler, type SyncScheduler } from '../syncs/schedules.ts';
import { createSyncsService, type SyncsService } from '../syncs/service.ts';
import { webhookHandlersTrigger } from '../syncs/webhook-handlers.ts';
import { isObject } from '../values/path.ts';
import type { DetachedConnection } from '../webhook-subscriptions/index.ts';
import type { EngineJobs } from './jobs.ts';
import type { ProvidersLayer } from './providers.ts';

export interface SyncsLayerDeps {
  config: PatchbayConfig;
  store: Store;
  queue: TransactionalJobQueue;
  providers: ProvidersLayer;
  clock: Clock;
  logger: Logger;
  /** The plans' checks and metering of actions, synced records and schedules; none: nothing limited. */
  entitlements?: Pick<
    Entitlements,
    'beforeAction' | 'actionRan' | 'recordsSynced' | 'pace' | 'beforeManualSync'
  >;
}

export interface SyncsLayer {
  readonly registry: ScriptRegistry;
  readonly syncs: SyncsService;
  readonly records: RecordsRepository;
  /** The records-changed path: listeners run in the transaction of every `records.changed`. */
  readonly recordsHooks: RecordsHooks;
  readonly mappings: FieldMappingsService;
  readonly cache: ResponseCache;
  readonly runner: SyncRunner;
  readonly scheduler: SyncScheduler;
  readonly actions: ActionsService;
  /** The script context of a connection (proxy, paginate, log): what syncs and actions get. */
  contextFor(args: {
    environmentId: string;
    connectionId: string;
    signal: AbortSignal;
    log: Logger;
  }): Promise<ScriptContext>;
  /**
   * A script context over a deleted connection's saved credentials: requests go to the provider
   * with them as they are (no refresh, no response cache). What removes its webhooks uses it.
   */
  detachedContextFor(connection: DetachedConnection): ScriptContext;
  routes(): RouteModule[];
  jobHandlers(): JobHandlers<EngineJobs>;
  /**
   * Registers, per provider, its webhook handlers (`webhooks/handlers/`) and the syncs its
   * webhooks start (`webhookEvents` of a sync).
   */
  registerInboundTriggers(triggers: TriggerRegistry): void;
  /**
   * Starts a new connection's auto-start syncs in the transaction that creates it, and removes a
   * deleted one's records and cached answers in the transaction that deletes it.
   */
  registerConnectionHooks(hooks: ConnectionHooks): void;
}

const EMPTY_SYNCS: ReadonlyMap<string, SyncDefinition> = new Map();

/**
 * What a provider's field mappings may target: its models (with the record schemas of every
 * sync and webhook handler declaring each: both write the same records) and its actions (with
 * their input schemas), by name.
 */
function targetsOf(scripts: ProviderScripts | undefined): ProviderTargets {
  const modelSchemas = new Map<string, PathSchema[]>();
  const writers = [...(scripts?.syncs.values() ?? []), ...(scripts?.webhookHandlers.values() ?? [])];
  for (const writer of writers) {
    for (const [model, schema] of Object.entries(writer.models)) {
      const list = modelSchemas.get(model);
      if (list) list.push(schema);
      else modelSchemas.set(model, [schema]);
    }
  }
  const actions = [...(scripts?.actions ?? [])];
  return {
    models: [...modelSchemas.keys()].sort(),
    actions: actions.map(([name]) => name).sort(),
    modelSchemas: Object.fromEntries(modelSchemas),
    actionInputs: Object.fromEntries(actions.map(([name, action]) => [name, action.input])),
  };
}

export async function createSyncsLayer(deps: SyncsLayerDeps): Promise<SyncsLayer> {
  const { config, store, queue, providers, clock, logger, entitlements } = deps;
  const registry = await loadScripts({
    catalog: providers.catalog,
    dirs: [BUILTIN_PROVIDERS_DIR, ...config.providerDirs],
    minFrequencyMs: config.minSyncFrequencySeconds * 1000,
  });
  const records = createRecordsRepository({ store, clock });
  const runs = createRunsRepository({ db: store.db, clock });
  const cache = createResponseCache({ store, clock });
  // The registry is fixed once loaded: each provider's targets are gathered once.
  const targetsByProvider = new Map<string, ProviderTargets>();
  const mappings = createFieldMappings({
    store,
    clock,
    targets: (provider) => {
      let targets = targetsByProvider.get(provider);
      if (!targets) {
        targets = targetsOf(registry.get(provider));
        targetsByProvider.set(provider, targets);
      }
      return targets;
    },
  });
  const allowHttp = config.allowPrivateNetworks.includes('loopback');

  async function contextFor(args: {
    environmentId: string;
    connectionId: string;
    signal: AbortSignal;
    log: Logger;
  }): Promise<ScriptContext> {
    const { environmentId, connectionId, signal } = args;
    const connection = await providers.connections.get(environmentId, connectionId);
    const integration = await providers.integrations.resolve(environmentId, connection.integrationId);
    return scriptContext({
      ...args,
      integration,
      identity: {
        id: connection.id,
        environmentId,
        integrationId: connection.integrationId,
        provider: connection.provider,
        endUserId: connection.endUser.id,
        config: connection.connectionConfig,
        metadata: connection.metadata,
      },
      send: (request) =>
        providers.proxy.request(environmentId, connectionId, {
          ...request,
          signal: request.signal ?? signal,
        }),
      cache: true,
    });
  }

  function detachedContextFor(connection: DetachedConnection): ScriptContext {
    const { environmentId, connectionId, integration, signal } = connection;
    const target = {
      environmentId,
      connectionId,
      integration,
      connectionConfig: connection.connectionConfig,
      metadata: connection.metadata,
      credentials: connection.credentials,
    };
    return scriptContext({
      environmentId,
      connectionId,
      signal,
      log: connection.log,
      integration,
      identity: {
        id: connectionId,
        environmentId,
        integrationId: integration.id,
        provider: integration.provider,
        endUserId: connection.endUserId,
        config: connection.connectionConfig,
        metadata: connection.metadata,
      },
      // Straight to the caller: there is no stored connection to load or refresh any more.
      send: (request) => providers.caller.call(target, { ...request, signal: request.signal ?? signal }),
      cache: false,
    });
  }

  function scriptContext(args: {
    environmentId: string;
    connectionId: string;
    signal: AbortSignal;
    log: Logger;
    integration: ResolvedIntegration;
    identity: ScriptConnection;
    send: SendProviderRequest;
    /** Whether `cacheTtlSeconds` GETs use the response cache (a deleted connection's would not be kept). */
    cache: boolean;
  }): ScriptContext {
    const { environmentId, connectionId, signal, log, integration, identity, send } = args;
    const { definition } = integration;
    if (!definition.proxy) {
      // Import-only providers (Amazon KDP) have no API: their report runs never call one, so a
      // missing base URL is an error only for a script that does.
      const noProxy = (): never => {
        throw new PatchbayError(
          'script_definition_invalid',
          `Provider ${definition.name} has no proxy base URL, so its scripts cannot call it`,
        );
      };
      return {
        connection: identity,
        proxy: {
          request: async () => noProxy(),
          getJson: async () => noProxy(),
          sendJson: async () => noProxy(),
        },
        paginate: noProxy,
        log,
        signal,
      };
    }
    // The base URL's values as the proxy renders them (connection config and metadata); no
    // credential is needed to know where a connection's API lives.
    const values = templateValuesOf({
      environmentId,
      connectionId,
      integration,
      connectionConfig: identity.config,
      metadata: identity.metadata,
      credentials: { type: 'none' },
    });
    const proxyBaseUrl = renderTemplate(definition.proxy.baseUrl, values, { allowHttp });
    return {
      connection: identity,
      proxy: createScriptProxy({
        send,
        ...(args.cache ? { cache } : {}),
        scope: { environmentId, connectionId },
      }),
      paginate: (request) =>
        paginate({
          pagination: definition.pagination,
          paginators: registry.get(definition.name)?.paginators,
          request,
          send,
          proxyBaseUrl,
          signal,
        }),
      log,
      signal,
    };
  }

  const resolveSync = (provider: string, name: string) => getSync(registry, provider, name);
  const lock = createRunLock({ db: store.db, clock });
  const recordsHooks = createRecordsHooks();
  const runner = createSyncRunner({
    db: store.db,
    clock,
    logger,
    runs,
    lock,
    recordsHooks,
    records: {
      prepare: (schema, model, input) =>
        prepareRecord(model, schema as Parameters<typeof prepareRecord>[1], input),
      upsert: async (trx, scope, model, list, options) => {
        const counts = await records.upsert(trx, scope, model, list, options);
        // Not awaited: metering reads outside the run's transaction, which SQLite's one handle
        // would make wait for this very transaction.
        entitlements
          ?.recordsSynced(scope.environmentId, scope.connectionId, counts.added + counts.updated)
          .catch((error: unknown) => logger.warn({ err: error }, 'counting synced records failed'));
        return counts;
      },
      softDelete: (trx, scope, model, ids) => records.softDelete(trx, scope, model, ids),
      deleteUnseen: (trx, scope, model, runId, writtenBefore) =>
        records.deleteUnseen(trx, scope, model, runId, writtenBefore),
      forgetSeen: (trx, scope) => records.forgetSeen(trx, scope),
    },
    connection: (environmentId, connectionId) => providers.connections.get(environmentId, connectionId),
    resolveSync,
    contextFor,
  });
  const scheduler = createSyncScheduler({
    db: store.db,
    queue,
    clock,
    runs,
    registry,
    minFrequencyMs: config.minSyncFrequencySeconds * 1000,
    ...(entitlements
      ? {
          pace: (environmentId, connectionId, frequencyMs, executor) =>
            entitlements.pace(environmentId, connectionId, frequencyMs, executor),
        }
      : {}),
  });
  const syncs = createSyncsService({
    db: store.db,
    clock,
    runs,
    scheduler,
    runner,
    connection: (environmentId, connectionId) => providers.connections.get(environmentId, connectionId),
    syncsOf: (provider) => registry.get(provider)?.syncs ?? EMPTY_SYNCS,
    resolveSync,
  });
  const ungatedActions = createActionsService({
    store,
    queue,
    clock,
    logger,
    connections: providers.connections,
    resolveAction: (provider, name) => getAction(registry, provider, name),
    contextFor: async ({ environmentId, connectionId, runId, idempotencyKey, signal }) => {
      // The script is about to run: one action run of the end user's month.
      await entitlements?.actionRan(environmentId, connectionId);
      return {
        ...(await contextFor({
          environmentId,
          connectionId,
          signal,
          log: logger.child({ actionRunId: runId, connectionId }),
        })),
        runId,
        idempotencyKey,
      };
    },
    mapInput: async (environmentId, connectionId, action) => {
      const mapper = await mappings.mapperFor(environmentId, connectionId, 'action', action);
      return mapper ? (input: unknown) => mapper(isObject(input) ? input : {}) : null;
    },
  });

  // A connection its plan keeps paused runs no sync, asked for or scheduled (the scheduler's pace).
  const gatedSyncs: SyncsService = entitlements
    ? {
        ...syncs,
        trigger: async (environmentId, connectionId, name, options) => {
          await entitlements.beforeManualSync(environmentId, connectionId);
          return syncs.trigger(environmentId, connectionId, name, options);
        },
        runNow: async (environmentId, connectionId, name, options) => {
          await entitlements.beforeManualSync(environmentId, connectionId);
          return syncs.runNow(environmentId, connectionId, name, options);
        },
      }
    : syncs;

  // The plan is checked before a run is stored: a refused action leaves no run behind.
  const actions: ActionsService = entitlements
    ? {
        ...ungatedActions,
        run: async (environmentId, connectionId, actionName, input, runOptions) => {
          await entitlements.beforeAction(environmentId, connectionId, actionName);
          return ungatedActions.run(environmentId, connectionId, actionName, input, runOptions);
        },
      }
    : ungatedActions;

  return {
    registry,
    syncs: gatedSyncs,
    records,
    recordsHooks,
    mappings,
    cache,
    runner,
    scheduler,
    actions,
    contextFor,
    detachedContextFor,
    routes: () => [
      syncRoutes(gatedSyncs),
      recordRoutes(records, {
        transform: async (environmentId, connectionId, model) =>
          (await mappings.mapperFor(environmentId, connectionId, 'model', model)) ??
          identityTransform(environmentId, connectionId, model),
      }),
      importRoutes({
        importReport: async (environmentId, connectionId, sync, upload) => {
          const { run, report } = await syncs.importReport(environmentId, connectionId, sync, {
            stream: upload.stream,
            format: upload.format,
            ...(upload.onProgress ? { onProgress: upload.onProgress } : {}),
          });
          return { runId: run.id, report, added: run.added, updated: run.updated, unchanged: run.unchanged };
        },
      }),
      actionRoutes(actions),
      fieldMappingRoutes(mappings),
      cacheRoutes(cache),
    ],
    registerConnectionHooks(hooks) {
      hooks.onCreated(async (event) => {
        const scripts = registry.get(event.provider);
        if (!scripts || scripts.syncs.size === 0) return;
        const chosen = await autoStartSyncsOf(event.trx, event.connection.integrationId);
        const syncs = [...scripts.syncs.values()].map((sync) =>
          chosen === undefined ? sync : { ...sync, autoStart: chosen.includes(sync.name) },
        );
        await scheduler.startIn(event.trx, event.environmentId, event.connectionId, syncs);
      });
      hooks.onDeleted(async (event) => {
        await records.forgetConnection(event.trx, event.environmentId, event.connectionId);
        await cache.forgetConnection(event.trx, event.environmentId, event.connectionId);
      });
    },
    registerInboundTriggers(triggers) {
      for (const scripts of registry.values()) {
        if (scripts.webhookHandlers.size === 0) continue;
        triggers.register(
          scripts.provider,
          webhookHandlersTrigger(
            { records, connections: providers.connections, clock, ids: newId, logger, recordsHooks },
            [...scripts.webhookHandlers.values()],
          ),
        );
      }
      for (const scripts of registry.values()) {
        const started = [...scripts.syncs.values()].filter((sync) => sync.webhookEvents && sync.exec);
        if (started.length === 0) continue;
        triggers.register(scripts.provider, async (event) => {
          if (event.providerEventType === null) return;
          for (const sync of started) {
            if (!sync.webhookEvents?.includes(event.providerEventType)) continue;
            for (const connection of event.connections) {
              await scheduler.triggerIn(event.trx, event.environmentId, connection.id, sync);
            }
          }
        });
      }
    },
    jobHandlers: () => ({
      ...actionHandlers(actions),
      'sync.run': async (payload, context) => {
        await runner.execute(payload.runId, { attempt: context.job.attempt, signal: context.signal });
      },
      'syncs.schedule-due': async () => {
        await scheduler.tick();
      },
      'syncs.purge-response-cache': async () => {
        await cache.purgeExpired(clock.now());
      },
    }),
  };
}

/**
 * The integration's `autoStartSyncs` setting, read in the creating transaction (on SQLite a read
 * outside it would wait for its lock); undefined when the integration does not set it.
 */
async function autoStartSyncsOf(trx: Kysely<Database>, integrationId: string): Promise<string[] | undefined> {
  const row = await trx
    .selectFrom('integrations')
    .select('settings')
    .where('id', '=', integrationId)
    .executeTakeFirst();
  if (!row) return undefined;
  const settings = JSON.parse(row.settings) as { autoStartSyncs?: unknown };
  return Array.isArray(settings.autoStartSyncs) ? settings.autoStartSyncs.map(String) : undefined;
}
