/**
 * Provider webhook subscriptions managed by the engine (see docs/inbound.md): registered per
 * connection through the provider's `webhooks/subscriptions` script, repaired on a schedule,
 * removed after the connection's deletion.
 */
export {
  checkDueJob,
  removeJobOf,
  removeSubscriptionsJob,
  syncJobOf,
  syncSubscriptionsJob,
  type WebhookSubscriptionJobs,
  webhookSubscriptionHandlers,
  webhookSubscriptionJobs,
  webhookSubscriptionSchedules,
} from './jobs.ts';
export { planReconcile, topicGroups } from './plan.ts';
export { REMOVAL_SETTLE_MS } from './removal.ts';
export type { DetachedConnection, WebhookSubscriptionsDeps } from './runtime.ts';
export { CHECK_INTERVAL_MS, createWebhookSubscriptionsService, REMOVED_RETENTION_MS } from './service.ts';
export type {
  AttemptOptions,
  StoredSubscription,
  WebhookSubscriptionsService,
  WebhookSubscriptionsView,
} from './types.ts';
