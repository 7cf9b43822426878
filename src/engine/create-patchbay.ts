import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApi, createMetricsRegistry } from '../api/index.ts';
import { type Clock, systemClock } from '../clock/index.ts';
import { loadConfig, type PatchbayConfig, type PatchbayConfigInput } from '../config/index.ts';
import {
  createEnvironmentsService,
  type EnvironmentsService,
  MAX_AUTH_CACHE_MS,
} from '../environments/index.ts';
import { PatchbayError } from '../errors/index.ts';
import { createLogger, type Logger } from '../logger/index.ts';
import type { LookupFn } from '../net/index.ts';
import { createOperatorsService, type OperatorsService } from '../operators/index.ts';
import {
  createJobs,
  createScheduler,
  createSqlQueue,
  createWorker,
  type JobHandlers,
  type JobName,
  type JobQueue,
  type Jobs,
  queueDepth,
  type Scheduler,
  type TypedScheduleSpec,
  type Worker,
  type WorkerEvent,
} from '../queue/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { ENCRYPTED_COLUMNS, openVault, type Vault } from '../vault/index.ts';
import { createHubLayer, type HubLayer } from './hub.ts';
import { createInboundLayer, type InboundLayer } from './inbound.ts';
import { type EngineJobs, engineJobs, engineSchedules } from './jobs.ts';
import { maintenanceHandlers } from './maintenance.ts';
import { createNotificationsLayer, type NotificationsLayer } from './notifications.ts';
import { createOutboundLayer, type OutboundLayer } from './outbound.ts';
import { createPlansLayer, type PlansLayer } from './plans.ts';
import { providerRequestVia } from './provider-request.ts';
import { createProvidersLayer, type ProvidersLayer } from './providers.ts';
import { createSyncsLayer, type SyncsLayer } from './syncs.ts';
import { createWebhookSubscriptionsLayer, type WebhookSubscriptionsLayer } from './webhook-subscriptions.ts';

export interface CreatePatchbayOptions {
  /** Configuration values; they win over PATCHBAY_* variables and the config file. */
  config?: PatchbayConfigInput;
  /** Where PATCHBAY_* variables are read from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** A logger to use instead of one built from the config (library mode, tests). */
  logger?: Logger;
  clock?: Clock;
  /** DNS resolution for the outbound SSRF guard (tests stub it). */
  lookup?: LookupFn;
}

/** What start() reports, for the banner the CLI prints. */
export interface StartReport {
  /** Where the HTTP API listens, or null when this process runs no API (role `worker`). */
  url: string | null;
  /** The first `dev` API key, only on the start that created it: it is never retrievable again. */
  firstApiKey: string | null;
  /** The key file generated on this start, when no encryption key was configured. */
  generatedKeyFile: string | null;
  migrationsApplied: string[];
}

/** The services of a running engine, for library mode. */
export interface PatchbayServices {
  environments: EnvironmentsService;
  /** Dashboard operator accounts and sessions. */
  operators: OperatorsService;
  /** Catalog, integrations, connections, connect sessions, auth, proxy, refresh. */
  providers: ProvidersLayer;
  /** Endpoints, messages, dispatch, delivery, the event stream. */
  outbound: OutboundLayer;
  /** Provider webhooks: intake, inbound events, processing. */
  inbound: InboundLayer;
  /** Provider scripts: syncs, records, field mappings, actions, report imports, the response cache. */
  syncs: SyncsLayer;
  /** Provider webhook subscriptions registered per connection: the service, its jobs and routes. */
  webhookSubscriptions: WebhookSubscriptionsLayer;
  /** Plans, end users, usage metering and their enforcement. */
  plans: PlansLayer;
  /** Notification emails: settings, templates, sends and their log. */
  notifications: NotificationsLayer;
  /** The integrations hub: settings, the end user's tiles, its page. */
  hub: HubLayer;
  jobs: Jobs<EngineJobs>;
  queue: JobQueue;
}

/** One Patchbay engine: HTTP API, workers and scheduler over one store. */
export interface Patchbay {
  readonly config: PatchbayConfig;
  readonly logger: Logger;
  readonly store: Store;
  readonly vault: Vault;
  readonly services: PatchbayServices;
  /** The Fastify instance (for `inject()` in tests), or null for role `worker`. */
  readonly api: FastifyInstance | null;
  /** Starts listening and running jobs, as the role says. */
  start(): Promise<StartReport>;
  /**
   * Graceful stop: stop accepting requests, let in-flight jobs finish (up to
   * shutdownTimeoutMs, then hand their leases back), close the database. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Creates an engine: reads and validates the configuration, opens the database and applies
 * migrations, checks the encryption keys, creates the default environments and assembles the API,
 * workers and scheduler. Nothing listens or runs until start().
 */
export async function createPatchbay(options: CreatePatchbayOptions = {}): Promise<Patchbay> {
  const config = await pinFreePort(
    loadConfig({
      ...(options.env ? { env: options.env } : {}),
      ...(options.config ? { overrides: options.config } : {}),
    }),
  );
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.logLevel });

  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const cleanup: Array<() => Promise<void>> = [() => store.close()];
  try {
    const migrations = await store.migrate();
    const { vault, generatedKeyFile } = await openVault({ config, store, columns: ENCRYPTED_COLUMNS });
    // The API authenticates every request; keys are remembered briefly (see MAX_AUTH_CACHE_MS).
    const environments = createEnvironmentsService({ store, clock, authCacheMs: MAX_AUTH_CACHE_MS });
    const bootstrap = await environments.ensureBootstrap();

    // The plans layer needs the providers' catalog and connections, and the providers' connect
    // sessions and proxy need its checks: the gates call it once it exists.
    let plansLayer: PlansLayer | undefined;
    const providers = await createProvidersLayer({
      config,
      store,
      vault,
      clock,
      logger,
      ...(options.lookup ? { lookup: options.lookup } : {}),
      gates: {
        session: async (environmentId, request) =>
          plansLayer
            ? plansLayer.entitlements.connectSession(environmentId, request)
            : { allowed: request.allowed, locked: null },
        proxyCall: async (environmentId, connectionId) =>
          plansLayer?.entitlements.beforeProxyCall(environmentId, connectionId),
      },
    });
    cleanup.unshift(() => providers.close());
    const plans = createPlansLayer({ config, store, clock, logger, providers });
    plansLayer = plans;
    cleanup.unshift(() => plans.close());

    const queue = createSqlQueue(store, { clock });
    cleanup.unshift(() => queue.close());
    const jobs = createJobs(queue, engineJobs);
    const outbound = createOutboundLayer({
      config,
      store,
      vault,
      queue,
      http: providers.http,
      clock,
      logger,
    });
    cleanup.unshift(() => outbound.close());
    const metrics = createMetricsRegistry();
    const syncs = await createSyncsLayer({
      config,
      store,
      queue,
      providers,
      clock,
      logger,
      entitlements: plans.entitlements,
    });
    const hub = createHubLayer({ store, clock, providers, plans, syncs });
    const webhookSubscriptions = createWebhookSubscriptionsLayer({
      store,
      vault,
      queue,
      providers,
      syncs,
      clock,
      logger,
    });
    const inbound = createInboundLayer({
      store,
      catalog: providers.catalog,
      integrations: providers.integrations,
      connections: providers.connections,
      managed: webhookSubscriptions.service,
      queue,
      clock,
      logger,
      metrics,
      publicUrl: providers.publicUrl,
      bodyLimit: config.bodyLimit,
      dedupeWindowMs: config.inboundDedupeWindowHours * 3_600_000,
      providerRequestFor: (environmentId, connectionId) =>
        providerRequestVia(providers.proxy, environmentId, connectionId),
    });
    cleanup.unshift(() => inbound.close());
    const notifications = createNotificationsLayer({
      config,
      store,
      vault,
      queue,
      clock,
      logger,
      providers,
      plans,
      syncs,
      outbound,
    });
    cleanup.unshift(() => notifications.close());
    syncs.registerInboundTriggers(inbound.triggers);
    syncs.registerConnectionHooks(providers.connectionHooks);
    webhookSubscriptions.registerConnectionHooks(providers.connectionHooks);
    plans.registerConnectionHooks(providers.connectionHooks);
    notifications.registerConnectionHooks(providers.connectionHooks);
    plans.registerRecordsHooks(syncs.recordsHooks, {
      queue,
      records: {
        list: (environmentId, connectionId, model, listOptions) =>
          syncs.records.list(environmentId, connectionId, model, listOptions),
        find: (environmentId, connectionId, model, id) =>
          syncs.records.find(store.db, environmentId, connectionId, model, id),
      },
    });
    // After the records hooks: a rule loaded from the file queues the derivation of its plans.
    await plans.loadPlansFile();
    const runsWorkers = config.role !== 'api';
    const worker: Worker | null = runsWorkers
      ? createEngineWorker({
          queue,
          handlers: {
            ...maintenanceHandlers({ queue, store, clock, logger }),
            ...providers.jobHandlers(),
            ...outbound.jobHandlers(),
            ...inbound.jobHandlers(),
            ...syncs.jobHandlers(),
            ...webhookSubscriptions.jobHandlers(),
            ...notifications.jobHandlers(),
            ...plans.jobHandlers(),
          },
          config,
          logger,
        })
      : null;
    const scheduler: Scheduler | null = runsWorkers
      ? createScheduler({ queue, onError: (error) => logger.error({ err: error }, 'scheduler tick failed') })
      : null;

    const operators = createOperatorsService({ store, environments, clock });
    const api =
      config.role === 'worker'
        ? null
        : await buildApi({
            config,
            store,
            logger,
            metrics,
            environments,
            clock,
            routes: [
              ...providers.routes(),
              ...outbound.routes(),
              ...inbound.routes(),
              ...syncs.routes(),
              ...webhookSubscriptions.routes(),
              ...plans.routes(),
              ...notifications.routes(),
              ...hub.routes(),
            ],
            connectSessions: providers.sessions,
            operators,
            queueDepth: (environmentId) => queueDepth(store.db, environmentId, clock.now()),
          });

    return new Engine({
      config,
      logger,
      store,
      vault,
      api,
      worker,
      scheduler,
      services: {
        environments,
        operators,
        providers,
        outbound,
        inbound,
        syncs,
        webhookSubscriptions,
        plans,
        notifications,
        hub,
        jobs,
        queue,
      },
      cleanup,
      startReport: {
        firstApiKey: bootstrap.firstKey?.secret ?? null,
        generatedKeyFile,
        migrationsApplied: migrations.applied,
      },
    });
  } catch (error) {
    for (const close of cleanup) await close().catch(() => {});
    throw error;
  }
}

interface EngineParts {
  config: PatchbayConfig;
  logger: Logger;
  store: Store;
  vault: Vault;
  api: FastifyInstance | null;
  worker: Worker | null;
  scheduler: Scheduler | null;
  services: PatchbayServices;
  cleanup: Array<() => Promise<void>>;
  startReport: Omit<StartReport, 'url'>;
}

class Engine implements Patchbay {
  readonly config: PatchbayConfig;
  readonly logger: Logger;
  readonly store: Store;
  readonly vault: Vault;
  readonly api: FastifyInstance | null;
  readonly services: PatchbayServices;
  readonly #parts: EngineParts;
  #stopping: Promise<void> | undefined;

  constructor(parts: EngineParts) {
    this.#parts = parts;
    this.config = parts.config;
    this.logger = parts.logger;
    this.store = parts.store;
    this.vault = parts.vault;
    this.api = parts.api;
    this.services = parts.services;
  }

  async start(): Promise<StartReport> {
    const { worker, scheduler, services } = this.#parts;
    if (worker && scheduler) {
      // Each entry pairs a job with its own payload; TypeScript cannot follow that through the loop.
      for (const schedule of engineSchedules)
        await services.jobs.schedule({ ...schedule, payload: { ...schedule.payload } } as TypedScheduleSpec<
          EngineJobs,
          JobName<EngineJobs>
        >);
      worker.start();
      scheduler.start();
      services.outbound.start();
    }
    let url: string | null = null;
    if (this.api) {
      url = await listen(this.api, this.config);
      // listen() reports the bound address; show the host as configured (e.g. 127.0.0.1, not [::1]).
      url = `http://${this.config.host}:${new URL(url).port}`;
    }
    this.logger.info({ url, role: this.config.role, database: this.store.location }, 'patchbay started');
    return { url, ...this.#parts.startReport };
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const { worker, scheduler, cleanup } = this.#parts;
    // Stop taking work first (requests, claims), then finish or hand back what is in flight.
    await this.api?.close();
    const report = worker ? await worker.stop({ timeoutMs: this.config.shutdownTimeoutMs }) : null;
    await scheduler?.stop();
    for (const close of cleanup) await close();
    this.logger.info({ jobs: report }, 'patchbay stopped');
  }
}

async function listen(api: FastifyInstance, config: PatchbayConfig): Promise<string> {
  try {
    return await api.listen({ host: config.host, port: config.port });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new PatchbayError(
        'listen_failed',
        `Cannot listen on ${config.host}:${config.port} (${code}); choose another PATCHBAY_PORT or PATCHBAY_HOST`,
        { cause },
      );
    }
    throw cause;
  }
}

/**
 * Port 0 ("any free port") without a public URL: the OAuth callback and connect page URLs are
 * derived from the port, so it must be known before anything is assembled. Pick the free port now
 * (the OS hands out a fresh one, so another process taking it before start() is unlikely).
 */
async function pinFreePort(config: PatchbayConfig): Promise<PatchbayConfig> {
  if (config.port !== 0 || config.publicUrl !== undefined || config.role === 'worker') return config;
  const probe = createServer();
  const port = await new Promise<number>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, config.host, () => resolve((probe.address() as AddressInfo).port));
  });
  await new Promise((resolve) => probe.close(resolve));
  return { ...config, port };
}

/**
 * The engine's workers: webhook deliveries on a worker of their own, with their own concurrency
 * (deliveryConcurrency), so that a backlog of them neither starves other jobs nor is held to the
 * few slots that syncs and maintenance need; every other job on the general worker.
 */
function createEngineWorker(options: {
  queue: JobQueue;
  handlers: JobHandlers<EngineJobs>;
  config: PatchbayConfig;
  logger: Logger;
}): Worker {
  const { queue, config, logger } = options;
  const { 'outbound.deliver': deliver, 'sync.run': syncRun, ...others } = options.handlers;
  const onEvent = (event: WorkerEvent) => {
    if (event.type === 'failed' || event.type === 'error') logger.warn({ event }, 'job %s', event.type);
  };
  // Deliveries and sync runs get their own slots: many short network waits on one side, a few
  // long runs on the other, and neither holds up maintenance, inbound processing or the other.
  const workers = [
    createWorker({
      queue,
      catalog: engineJobs,
      handlers: others,
      concurrency: config.workerConcurrency,
      leaseMs: config.jobLeaseMs,
      onEvent,
    }),
  ];
  if (deliver) {
    workers.push(
      createWorker({
        queue,
        catalog: engineJobs,
        handlers: { 'outbound.deliver': deliver },
        concurrency: config.deliveryConcurrency,
        leaseMs: config.jobLeaseMs,
        onEvent,
      }),
    );
  }
  if (syncRun) {
    workers.push(
      createWorker({
        queue,
        catalog: engineJobs,
        handlers: { 'sync.run': syncRun },
        concurrency: config.syncConcurrency,
        leaseMs: config.jobLeaseMs,
        onEvent,
      }),
    );
  }
  const [general] = workers as [Worker, ...Worker[]];
  if (workers.length === 1) return general;
  return {
    owner: general.owner,
    get running() {
      return workers.reduce((sum, worker) => sum + worker.running, 0);
    },
    start() {
      for (const worker of workers) worker.start();
    },
    async stop(stopOptions) {
      const reports = await Promise.all(workers.map((worker) => worker.stop(stopOptions)));
      return { released: reports.flatMap((report) => report.released) };
    },
  };
}
