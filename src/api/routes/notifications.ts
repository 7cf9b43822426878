import type {
  NotificationRecord,
  NotificationSettings,
  NotificationsService,
  TemplateView,
} from '../../notifications/index.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `/v1/notifications`: settings, templates and their previews, and the notification log. */
export function notificationRoutes(notifications: NotificationsService): RouteModule {
  const c = contract.notifications;
  return {
    name: 'notifications',
    routes: [
      route(c.getSettings, async ({ auth }) =>
        presentSettings(await notifications.settings.get(auth.environment.id)),
      ),
      route(c.putSettings, async ({ auth, body }) =>
        presentSettings(await notifications.settings.put(auth.environment.id, body)),
      ),
      route(c.listTemplates, async ({ auth }) => ({
        data: (await notifications.templates.list(auth.environment.id)).map(presentTemplate),
      })),
      route(c.getTemplate, async ({ auth, params }) =>
        presentTemplate(await notifications.templates.get(auth.environment.id, params.kind)),
      ),
      route(c.putTemplate, async ({ auth, params, body }) =>
        presentTemplate(await notifications.templates.put(auth.environment.id, params.kind, body)),
      ),
      route(c.deleteTemplate, async ({ auth, params }) => {
        await notifications.templates.delete(auth.environment.id, params.kind);
        return presentTemplate(await notifications.templates.get(auth.environment.id, params.kind));
      }),
      route(c.preview, async ({ auth, params, body }) =>
        notifications.templates.preview(auth.environment.id, params.kind, {
          ...(body?.variables === undefined ? {} : { variables: body.variables }),
          ...(body?.template === undefined ? {} : { template: body.template }),
        }),
      ),
      route(c.list, async ({ auth, query }) => {
        const { data, nextAfter } = await notifications.list(auth.environment.id, {
          ...(query.kind === undefined ? {} : { kind: query.kind }),
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.endUserId === undefined ? {} : { endUserId: query.endUserId }),
          ...(query.connectionId === undefined ? {} : { connectionId: query.connectionId }),
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        });
        return { data: data.map(presentNotification), nextAfter };
      }),
      route(c.get, async ({ auth, params }) =>
        presentNotification(await notifications.get(auth.environment.id, params.id)),
      ),
    ],
  };
}

function presentSettings(
  settings: NotificationSettings,
): ResponseOf<typeof contract.notifications.getSettings> {
  return settings;
}

function presentTemplate(view: TemplateView): ResponseOf<typeof contract.notifications.getTemplate> {
  return { ...view, updatedAt: isoTimeOrNull(view.updatedAt) };
}

/** A notification as the API shows it. */
export function presentNotification(
  record: NotificationRecord,
): ResponseOf<typeof contract.notifications.get> {
  const { environmentId: _environmentId, ...rest } = record;
  return {
    ...rest,
    createdAt: isoTime(record.createdAt),
    updatedAt: isoTime(record.updatedAt),
    sentAt: isoTimeOrNull(record.sentAt),
  };
}
