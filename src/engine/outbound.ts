/**
 * Assembles the outbound layer: endpoints, the outbox dispatcher (events → messages), the
 * messages API, delivery (signed attempts, retries, auto-disable), the event stream and their
 * routes and jobs. The delivery worker shares the providers layer's outbound HTTP (same SSRF
 * guard and pools).
 */
import type { RouteModule } from '../api/index.ts';
import { endpointRoutes } from '../api/routes/endpoints.ts';
import { eventRoutes } from '../api/routes/events.ts';
import { messageRoutes } from '../api/routes/messages.ts';
import type { Clock } from '../clock/index.ts';
import type { PatchbayConfig } from '../config/index.ts';
import { onEventAppended } from '../events/index.ts';
import { createEventStream, type EventStream } from '../events/stream.ts';
import type { Logger } from '../logger/index.ts';
import type { OutboundHttp } from '../net/index.ts';
import { createDeliveryWorker, type DeliveryWorker } from '../outbound/delivery/index.ts';
import {
  createDispatcher,
  type DispatchConsumer,
  type Dispatcher,
  dispatchHandlers,
} from '../outbound/dispatcher.ts';
import { createEndpointsService } from '../outbound/endpoints.ts';
import type { OutboundJobs } from '../outbound/jobs.ts';
import { createMessagesService } from '../outbound/messages.ts';
import { recoverHandlers } from '../outbound/recover.ts';
import type { EndpointsService, MessagesService } from '../outbound/types.ts';
import type { JobHandlers, TransactionalJobQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';

export interface OutboundLayerDeps {
  config: PatchbayConfig;
  store: Store;
  vault: Vault;
  queue: TransactionalJobQueue;
  http: OutboundHttp;
  clock: Clock;
  logger: Logger;
}

export interface OutboundLayer {
  readonly endpoints: EndpointsService;
  readonly messages: MessagesService;
  readonly dispatcher: Dispatcher;
  readonly delivery: DeliveryWorker;
  readonly stream: EventStream;
  /** Adds a reader of the events the dispatcher dispatches, called in its transaction (notifications). */
  onDispatch(consumer: DispatchConsumer): void;
  routes(): RouteModule[];
  jobHandlers(): JobHandlers<OutboundJobs>;
  /** Starts the dispatcher's poll (processes that run workers). */
  start(): void;
  /** Ends event streams and stops the dispatcher. */
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;

export function createOutboundLayer(deps: OutboundLayerDeps): OutboundLayer {
  const { config, store, vault, queue, http, clock, logger } = deps;
  const endpoints = createEndpointsService({ store, vault, clock });
  const messages = createMessagesService({ store, endpoints, queue, clock });
  const consumers = new Set<DispatchConsumer>();
  const dispatcher = createDispatcher({ store, endpoints, queue, clock, logger, consumers });
  const delivery = createDeliveryWorker({
    store,
    endpoints,
    queue,
    http,
    clock,
    logger,
    schedule: config.webhookRetrySchedule,
    jitter: config.webhookRetryJitter,
    timeoutMs: config.webhookTimeoutMs,
    failingWarnAfterMs: config.endpointFailingWarnAfterHours * HOUR_MS,
    disableAfterMs: config.endpointDisableAfterHours * HOUR_MS,
  });
  const stream = createEventStream({ store, clock });
  // Events written in this process reach endpoints and streams at once; the dispatcher's and the
  // stream's polls pick up those of other processes.
  let started = false;
  const stopListening = onEventAppended(() => {
    if (started) dispatcher.nudge();
    stream.nudge();
  });

  return {
    endpoints,
    messages,
    dispatcher,
    delivery,
    stream,
    onDispatch: (consumer) => void consumers.add(consumer),
    routes: () => [endpointRoutes(endpoints), messageRoutes(messages), eventRoutes({ store, stream })],
    jobHandlers: () => ({
      ...dispatchHandlers(dispatcher),
      ...recoverHandlers({ store, queue }),
      ...delivery.handlers,
    }),
    start() {
      started = true;
      dispatcher.start();
    },
    async close() {
      stopListening();
      stream.close();
      if (started) await dispatcher.stop();
    },
  };
}
