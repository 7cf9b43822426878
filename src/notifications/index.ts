/** Notification emails: kinds and templates, settings, throttle, unsubscribe, channels and the log. */
export { type MailChannel, type OutgoingEmail, SEND_EMAIL_ACTION, SendFailure } from './channels.ts';
export { weekOf } from './digest.ts';
export { NOTIFYING_EVENT_TYPES, notificationJobs, notificationSchedules } from './jobs.ts';
export {
  type Audience,
  isNotificationKind,
  KINDS,
  NOTIFICATION_KINDS,
  type NotificationKind,
  sampleVariables,
  type TemplateParts,
} from './kinds.ts';
export { NOTIFICATION_STATUSES, type NotificationRecord, type NotificationStatus } from './log.ts';
export type { ConnectionFacts } from './planner.ts';
export {
  createNotificationsService,
  type NotificationsService,
  type NotificationsServiceDeps,
} from './service.ts';
export {
  type NotificationSettings,
  type NotificationSettingsInput,
  notificationSettingsInputSchema,
} from './settings.ts';
export { escapeHtml } from './template.ts';
export type { TemplateView } from './templates.ts';
