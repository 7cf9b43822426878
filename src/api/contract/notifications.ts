import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../../notifications/kinds.ts';
import { NOTIFICATION_STATUSES } from '../../notifications/log.ts';
import { notificationSettingsInputSchema } from '../../notifications/settings.ts';
import { defineOperation } from './operation.ts';
import { cursorAfter, idParam, listOf, pageLimit, pageOf, timestamp } from './schemas.ts';

const kindParam = z.object({ kind: z.enum(NOTIFICATION_KINDS).meta({ example: 'reauth_required' }) });
const audience = z.enum(['end_user', 'operators', 'both']);

const templatePartsSchema = z
  .object({
    subject: z.string().min(1).max(1000),
    text: z.string().min(1).max(100_000),
    html: z.string().min(1).max(100_000),
  })
  .meta({
    id: 'NotificationTemplateParts',
    description:
      '`{{name}}`, `{{#if name}}…{{else}}…{{/if}}`, `{{#each list}}…{{/each}}`; values are HTML-escaped in `html`.',
  });

export const notificationSettingsSchema = z
  .object({
    channel: z.discriminatedUnion('type', [
      z.object({ type: z.literal('smtp') }),
      z.object({ type: z.literal('connection'), connectionId: z.string() }),
    ]),
    from: z.string().nullable(),
    operators: z.array(z.string()),
    throttleMinutes: z.number().int(),
    syncFailureThreshold: z.number().int(),
    kinds: z.record(z.string(), z.object({ enabled: z.boolean(), audience })),
  })
  .meta({ id: 'NotificationSettings' });

export const notificationTemplateSchema = z
  .object({
    kind: z.enum(NOTIFICATION_KINDS),
    description: z.string(),
    overridden: z.boolean().meta({ description: 'True when the host’s override is in use.' }),
    template: templatePartsSchema,
    default: templatePartsSchema,
    variables: z.array(
      z.object({ name: z.string(), description: z.string(), fields: z.array(z.string()).optional() }),
    ),
    updatedAt: timestamp.nullable(),
  })
  .meta({ id: 'NotificationTemplate' });

export const renderedNotificationSchema = z
  .object({ subject: z.string(), text: z.string(), html: z.string() })
  .meta({ id: 'RenderedNotification' });

export const notificationSchema = z
  .object({
    id: z.string(),
    kind: z.enum(NOTIFICATION_KINDS),
    status: z.enum(NOTIFICATION_STATUSES),
    audience: z.enum(['end_user', 'operators']),
    recipient: z.string().nullable(),
    endUserId: z.string().nullable(),
    connectionId: z.string().nullable(),
    channel: z
      .string()
      .nullable()
      .meta({ description: '`smtp` or `connection:<id>`; null until a send was tried.' }),
    eventId: z.string().nullable(),
    subject: z.string().nullable(),
    providerMessageId: z.string().nullable(),
    smtpResponse: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    attempts: z.number().int(),
    createdAt: timestamp,
    updatedAt: timestamp,
    sentAt: timestamp.nullable(),
  })
  .meta({ id: 'Notification' });

export const getNotificationSettings = defineOperation({
  id: 'getNotificationSettings',
  method: 'GET',
  path: '/v1/notifications/settings',
  summary: "Get the environment's notification settings",
  tag: 'Notifications',
  auth: 'apiKey',
  status: 200,
  response: notificationSettingsSchema,
  errors: [],
});

export const putNotificationSettings = defineOperation({
  id: 'putNotificationSettings',
  method: 'PUT',
  path: '/v1/notifications/settings',
  summary: 'Replace the notification settings',
  description:
    'Fields left out take their default. A `connection` channel must be a connection of an integration with a `send-email` action.',
  tag: 'Notifications',
  auth: 'apiKey',
  body: notificationSettingsInputSchema,
  status: 200,
  response: notificationSettingsSchema,
  errors: [],
});

export const listNotificationTemplates = defineOperation({
  id: 'listNotificationTemplates',
  method: 'GET',
  path: '/v1/notifications/templates',
  summary: 'List the notification kinds with their templates and variables',
  tag: 'Notifications',
  auth: 'apiKey',
  status: 200,
  response: listOf(notificationTemplateSchema),
  errors: [],
});

export const getNotificationTemplate = defineOperation({
  id: 'getNotificationTemplate',
  method: 'GET',
  path: '/v1/notifications/templates/:kind',
  summary: 'Get the template of a kind',
  tag: 'Notifications',
  auth: 'apiKey',
  params: kindParam,
  status: 200,
  response: notificationTemplateSchema,
  errors: [],
});

export const putNotificationTemplate = defineOperation({
  id: 'putNotificationTemplate',
  method: 'PUT',
  path: '/v1/notifications/templates/:kind',
  summary: "Override a kind's template",
  description:
    'A variable the kind does not have is refused with 400 `validation_failed` naming it (`details.unknownVariables`).',
  tag: 'Notifications',
  auth: 'apiKey',
  params: kindParam,
  body: templatePartsSchema,
  status: 200,
  response: notificationTemplateSchema,
  errors: [],
});

export const deleteNotificationTemplate = defineOperation({
  id: 'deleteNotificationTemplate',
  method: 'DELETE',
  path: '/v1/notifications/templates/:kind',
  summary: 'Remove the override: back to the default template',
  tag: 'Notifications',
  auth: 'apiKey',
  params: kindParam,
  status: 200,
  response: notificationTemplateSchema,
  errors: [],
});

export const previewNotificationTemplate = defineOperation({
  id: 'previewNotificationTemplate',
  method: 'POST',
  path: '/v1/notifications/templates/:kind/preview',
  summary: 'Render a kind',
  description:
    'Renders `template` (or the template in use) with `variables` over sample values. Nothing is sent.',
  tag: 'Notifications',
  auth: 'apiKey',
  params: kindParam,
  body: z
    .object({
      variables: z.record(z.string(), z.unknown()).optional(),
      template: templatePartsSchema.optional(),
    })
    .strict()
    .optional(),
  status: 200,
  response: renderedNotificationSchema,
  errors: [],
});

export const listNotifications = defineOperation({
  id: 'listNotifications',
  method: 'GET',
  path: '/v1/notifications',
  summary: 'List the notification log',
  description:
    'Every email queued, sent or failed, and every suppression (`throttled`, `unsubscribed`, `no_address`). Oldest first; pass `nextAfter` as `after`.',
  tag: 'Notifications',
  auth: 'apiKey',
  query: z.strictObject({
    kind: z.enum(NOTIFICATION_KINDS).optional(),
    status: z.enum(NOTIFICATION_STATUSES).optional(),
    endUserId: z.string().min(1).max(255).optional(),
    connectionId: z.string().min(1).max(100).optional(),
    after: cursorAfter('notification'),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(notificationSchema),
  errors: [],
});

export const getNotification = defineOperation({
  id: 'getNotification',
  method: 'GET',
  path: '/v1/notifications/:id',
  summary: 'Get a notification',
  tag: 'Notifications',
  auth: 'apiKey',
  params: z.object({ id: idParam('notification') }),
  status: 200,
  response: notificationSchema,
  errors: ['not_found'],
});
