/**
 * Assembles provider webhook subscriptions: the service over the providers' `webhooks/
 * subscriptions` scripts (found by the script loader, a variant's being its provider's), its
 * connection hooks, jobs and routes, and the URLs and secrets it lends the inbound intake.
 */
import type { RouteModule } from '../api/index.ts';
import { webhookSubscriptionRoutes } from '../api/routes/webhook-subscriptions.ts';
import type { Clock } from '../clock/index.ts';
import type { ConnectionHooks } from '../connections/hooks.ts';
import type { Logger } from '../logger/index.ts';
import type { JobHandlers, TransactionalJobQueue } from '../queue/index.ts';
import type { WebhookSubscriptionsDefinition } from '../scripting/types.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import {
  createWebhookSubscriptionsService,
  type WebhookSubscriptionJobs,
  type WebhookSubscriptionsService,
  webhookSubscriptionHandlers,
} from '../webhook-subscriptions/index.ts';
import type { ProvidersLayer } from './providers.ts';
import type { SyncsLayer } from './syncs.ts';

export interface WebhookSubscriptionsLayerDeps {
  store: Pick<Store, 'db'>;
  vault: Vault;
  queue: TransactionalJobQueue;
  providers: ProvidersLayer;
  syncs: Pick<SyncsLayer, 'registry' | 'contextFor' | 'detachedContextFor'>;
  clock: Clock;
  logger: Logger;
}

export interface WebhookSubscriptionsLayer {
  readonly service: WebhookSubscriptionsService;
  routes(): RouteModule[];
  jobHandlers(): JobHandlers<WebhookSubscriptionJobs>;
  /** Registers on creation and reconnection, removes after deletion (each in the change's transaction). */
  registerConnectionHooks(hooks: ConnectionHooks): void;
}

export function createWebhookSubscriptionsLayer(
  deps: WebhookSubscriptionsLayerDeps,
): WebhookSubscriptionsLayer {
  const { providers, syncs } = deps;
  const scripts = new Map<string, WebhookSubscriptionsDefinition>();
  for (const [provider, providerScripts] of syncs.registry) {
    if (providerScripts.webhookSubscriptions) scripts.set(provider, providerScripts.webhookSubscriptions);
  }
  const service = createWebhookSubscriptionsService({
    db: deps.store.db,
    vault: deps.vault,
    clock: deps.clock,
    logger: deps.logger,
    queue: deps.queue,
    publicUrl: providers.publicUrl,
    scripts,
    connections: providers.connections,
    integrations: providers.integrations,
    contextFor: (args) => syncs.contextFor(args),
    detachedContextFor: (connection) => syncs.detachedContextFor(connection),
  });
  return {
    service,
    routes: () => [webhookSubscriptionRoutes(service)],
    jobHandlers: () => webhookSubscriptionHandlers(service),
    registerConnectionHooks(hooks) {
      hooks.onCreated((event) => service.connectionCreated(event));
      hooks.onReconnected((event) => service.connectionReconnected(event));
      hooks.onDeleted((event) => service.connectionDeleted(event));
    },
  };
}
