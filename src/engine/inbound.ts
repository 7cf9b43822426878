/**
 * Assembles inbound webhooks: the intake route, the inbound events API, the writer (group
 * commit), the processing and maintenance jobs, and the triggers registry. The engine adds
 * `routes()`, `jobHandlers()` and `inboundJobs` / `inboundSchedules` to its own.
 */
import type { Registry } from 'prom-client';
import type { RouteModule } from '../api/index.ts';
import { inboundRoutes } from '../api/routes/inbound.ts';
import { webhookRoutes } from '../api/routes/webhooks.ts';
import type { Catalog } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import type { ConnectionsService } from '../connections/types.ts';
import { type IdFactory, newId } from '../ids/index.ts';
import { createIntake, type IntakeDeps, type Verifier } from '../inbound/intake.ts';
import type { InboundJobs } from '../inbound/jobs.ts';
import { processHandlers, processInboundEvent } from '../inbound/process.ts';
import type { ManagedWebhookKeys } from '../inbound/secrets.ts';
import { createInboundEventsService, type InboundEventsService } from '../inbound/service.ts';
import { createInboundWriter } from '../inbound/store.ts';
import { createTriggerRegistry, type TriggerRegistry } from '../inbound/triggers.ts';
import { answerHandshake, readEventMeta, verifyDelivery } from '../inbound/verify/index.ts';
import type { IntegrationsService } from '../integrations/types.ts';
import type { Logger } from '../logger/index.ts';
import type { JobHandlers, JobQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';

export interface InboundLayerDeps {
  store: Pick<Store, 'db'>;
  catalog: Catalog;
  integrations: Pick<IntegrationsService, 'resolve' | 'webhookSecret'>;
  connections: Pick<
    ConnectionsService,
    'get' | 'findByWebhookToken' | 'webhookSecrets' | 'issueWebhookToken' | 'setWebhookSecret'
  >;
  /** URLs and secrets of the provider webhook subscriptions the engine registered. */
  managed?: ManagedWebhookKeys;
  queue: Pick<JobQueue, 'enqueue' | 'enqueueMany'>;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  publicUrl: string;
  ids?: IdFactory;
  /** Largest delivery accepted, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** How long a provider's resend of the same event is recognized (default 7 days). */
  dedupeWindowMs?: number;
  /** See IntakeDeps.providerRequestFor. */
  providerRequestFor?: IntakeDeps['providerRequestFor'];
  /** Replaces the verification module (tests). */
  verifier?: Verifier;
}

export interface InboundLayer {
  readonly events: InboundEventsService;
  readonly triggers: TriggerRegistry;
  routes(): RouteModule[];
  jobHandlers(): JobHandlers<InboundJobs>;
  /** Processes one event now (what the `inbound.process` job does). */
  process(environmentId: string, inboundEventId: string): ReturnType<typeof processInboundEvent>;
  /** Commits pending writes. */
  close(): Promise<void>;
}

export function createInboundLayer(deps: InboundLayerDeps): InboundLayer {
  const ids = deps.ids ?? newId;
  const writer = createInboundWriter({ store: deps.store, ids });
  const events = createInboundEventsService({
    store: deps.store,
    queue: deps.queue,
    clock: deps.clock,
    ...(deps.dedupeWindowMs === undefined ? {} : { dedupeWindowMs: deps.dedupeWindowMs }),
  });
  const triggers = createTriggerRegistry();
  const processDeps = {
    store: deps.store,
    catalog: deps.catalog,
    clock: deps.clock,
    ids,
    logger: deps.logger,
    triggers,
  };
  return {
    events,
    triggers,
    routes: () => [
      webhookRoutes(
        createIntake({
          store: deps.store,
          integrations: deps.integrations,
          connections: deps.connections,
          ...(deps.managed ? { managed: deps.managed } : {}),
          writer,
          queue: deps.queue,
          verifier: deps.verifier ?? { verifyDelivery, answerHandshake, readEventMeta },
          clock: deps.clock,
          metrics: deps.metrics,
          publicUrl: deps.publicUrl,
          ...(deps.bodyLimit === undefined ? {} : { bodyLimit: deps.bodyLimit }),
          ...(deps.providerRequestFor ? { providerRequestFor: deps.providerRequestFor } : {}),
        }),
      ),
      inboundRoutes({
        events,
        integrations: deps.integrations,
        connections: deps.connections,
        publicUrl: deps.publicUrl,
      }),
    ],
    jobHandlers: () =>
      processHandlers({
        ...processDeps,
        sweep: () => events.sweep(),
        expireDedupe: () => events.expireDedupe(),
      }),
    process: (environmentId, inboundEventId) =>
      processInboundEvent(processDeps, environmentId, inboundEventId),
    close: () => writer.close(),
  };
}
