/**
 * Assembles the notifications layer: the service (settings, templates, the planner, the send
 * jobs, the digest), its routes and public link pages, and its hook on the outbox dispatcher.
 * Connections, end users, plans, the script registry and the actions service come from the other
 * layers; nothing there knows notifications exist.
 */
import type { RouteModule } from '../api/index.ts';
import { notificationLinkRoutes } from '../api/routes/notification-links.ts';
import { notificationRoutes } from '../api/routes/notifications.ts';
import type { Clock } from '../clock/index.ts';
import type { PatchbayConfig } from '../config/index.ts';
import type { ConnectionHooks } from '../connections/hooks.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import type { Logger } from '../logger/index.ts';
import {
  createNotificationsService,
  type NotificationsService,
  SEND_EMAIL_ACTION,
} from '../notifications/index.ts';
import type { JobHandlers, TransactionalJobQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import type { EngineJobs } from './jobs.ts';
import type { OutboundLayer } from './outbound.ts';
import type { PlansLayer } from './plans.ts';
import type { ProvidersLayer } from './providers.ts';
import type { SyncsLayer } from './syncs.ts';

export interface NotificationsLayerDeps {
  config: PatchbayConfig;
  store: Store;
  vault: Vault;
  queue: TransactionalJobQueue;
  clock: Clock;
  logger: Logger;
  providers: Pick<ProvidersLayer, 'catalog' | 'connections' | 'sessions' | 'publicUrl'>;
  plans: Pick<PlansLayer, 'plans' | 'endUsers'>;
  syncs: Pick<SyncsLayer, 'actions' | 'registry'>;
  outbound: Pick<OutboundLayer, 'onDispatch'>;
}

export interface NotificationsLayer {
  readonly service: NotificationsService;
  /** Removes a deleted connection's throttle rows in the transaction that deletes it. */
  registerConnectionHooks(hooks: ConnectionHooks): void;
  routes(): RouteModule[];
  jobHandlers(): JobHandlers<EngineJobs>;
  close(): Promise<void>;
}

/** How long the connect session opened by a reconnect link lasts. */
const RECONNECT_SESSION_TTL_SECONDS = 3600;

export function createNotificationsLayer(deps: NotificationsLayerDeps): NotificationsLayer {
  const { config, store, vault, queue, clock, logger, providers, plans, syncs } = deps;

  async function connectionOf(environmentId: string, connectionId: string) {
    try {
      return await providers.connections.get(environmentId, connectionId);
    } catch (error) {
      if (isPatchbayError(error) && error.code === 'not_found') return null;
      throw error;
    }
  }

  const service = createNotificationsService({
    store,
    queue,
    vault,
    clock,
    logger,
    publicUrl: providers.publicUrl,
    smtpUrl: config.smtpUrl,
    mailFrom: config.mailFrom,
    async connection(environmentId, connectionId) {
      const connection = await connectionOf(environmentId, connectionId);
      if (!connection) return null;
      return {
        id: connection.id,
        name: providers.catalog.get(connection.provider)?.displayName ?? connection.integrationKey,
        provider: connection.provider,
        integrationKey: connection.integrationKey,
        status: connection.status,
        endUserId: connection.endUser.id,
        endUserEmail: connection.endUser.email,
      };
    },
    async planName(environmentId, key) {
      if (key === null) return '';
      const plan = (await plans.plans.list(environmentId)).find((p) => p.key === key);
      return plan?.name ?? key;
    },
    async endUser(environmentId, id) {
      const endUser = await plans.endUsers.find(environmentId, id);
      return endUser ? { name: endUser.name, email: endUser.email } : null;
    },
    actions: syncs.actions,
    async checkConnection(environmentId, connectionId) {
      const connection = await connectionOf(environmentId, connectionId);
      const issue = (message: string) =>
        new PatchbayError('validation_failed', message, {
          details: { issues: [{ path: 'channel.connectionId', message }] },
        });
      if (!connection)
        throw issue(`There is no connection ${connectionId.slice(0, 100)} in this environment`);
      if (!syncs.registry.get(connection.provider)?.actions.has(SEND_EMAIL_ACTION)) {
        throw issue(
          `The ${connection.provider} integration has no "${SEND_EMAIL_ACTION}" action; connect an email provider such as Resend or SendGrid`,
        );
      }
    },
    async reconnectUrl(environmentId, endUserId, connectionId) {
      const { token } = await providers.sessions.create(environmentId, {
        endUser: { id: endUserId },
        connectionId,
        ttlSeconds: RECONNECT_SESSION_TTL_SECONDS,
      });
      return `${providers.publicUrl}/connect?session=${encodeURIComponent(token)}`;
    },
  });
  deps.outbound.onDispatch((trx, events) => service.queueEventsIn(trx, events));

  return {
    service,
    registerConnectionHooks(hooks) {
      hooks.onDeleted((event) =>
        service.forgetConnectionIn(event.trx, event.environmentId, event.connectionId),
      );
    },
    routes: () => [notificationRoutes(service), notificationLinkRoutes(service)],
    jobHandlers: () => ({
      'notifications.event': async ({ eventId }) => {
        await service.handleEvent(eventId);
      },
      'notifications.send': async ({ notificationId }, context) => {
        await service.send(notificationId, {
          attempt: context.job.attempt,
          maxAttempts: context.job.maxAttempts,
          signal: context.signal,
        });
      },
      'notifications.digest': async () => {
        await service.digest();
      },
    }),
    async close() {
      service.close();
    },
  };
}
