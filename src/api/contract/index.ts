/**
 * The API contract: every operation as typed data. The server's routes and the SDK are both
 * derived from it. Add a resource as one file here and one route module under ../routes.
 */
import { actionRunSchema, getActionRun, listActionRuns, runAction } from './actions.ts';
import { apiKeySchema, createApiKey, createdApiKeySchema, listApiKeys, revokeApiKey } from './api-keys.ts';
import { invalidateConnectionCache } from './cache.ts';
import { createConnectSession } from './connect-sessions.ts';
import {
  connectionSchema,
  deleteConnection,
  getConnection,
  listConnections,
  testConnection,
  updateConnectionMetadata,
} from './connections.ts';
import {
  createDashboardSession,
  dashboardSessionSchema,
  deleteDashboardSession,
  getDashboardQueue,
  getDashboardSession,
  switchDashboardEnvironment,
} from './dashboard.ts';
import {
  deleteEndUser,
  endUserSchema,
  getEndUser,
  getEndUserUsage,
  listEndUsers,
  updateEndUser,
  upsertEndUser,
  usageSchema,
} from './end-users.ts';
import {
  createdEndpointSchema,
  createEndpoint,
  deleteEndpoint,
  endpointSchema,
  getEndpoint,
  getEndpointSecret,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
} from './endpoints.ts';
import { environmentSchema, getEnvironment } from './environment.ts';
import { eventSchema, eventTypeSchema, listEvents, listEventTypes } from './events.ts';
import {
  deleteFieldMapping,
  fieldMappingSchema,
  listFieldMappings,
  putFieldMapping,
} from './field-mappings.ts';
import { createHubSession, getEndUserHub, getHubSettings, hubViewSchema, updateHubSettings } from './hub.ts';
import {
  getInboundEvent,
  getIntegrationWebhookUrl,
  inboundEventDetailSchema,
  inboundEventSchema,
  issueConnectionWebhookToken,
  listInboundEvents,
  reprocessInboundEvent,
  setConnectionWebhookSecret,
} from './inbound.ts';
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  integrationSchema,
  listIntegrations,
  updateIntegration,
} from './integrations.ts';
import {
  attemptSchema,
  createMessage,
  getMessage,
  listMessageAttempts,
  listMessages,
  messageSchema,
  recoverEndpoint,
  resendMessage,
} from './messages.ts';
import {
  deleteNotificationTemplate,
  getNotification,
  getNotificationSettings,
  getNotificationTemplate,
  listNotifications,
  listNotificationTemplates,
  notificationSchema,
  notificationSettingsSchema,
  notificationTemplateSchema,
  previewNotificationTemplate,
  putNotificationSettings,
  putNotificationTemplate,
  renderedNotificationSchema,
} from './notifications.ts';
import {
  createPlan,
  deletePlan,
  getPlan,
  listPlans,
  listPlanVersions,
  planSchema,
  planVersionSchema,
  putPlan,
} from './plans.ts';
import { listRecords, recordSchema } from './records.ts';
import {
  createSubscriptionRule,
  deleteSubscriptionRule,
  getSubscriptionRule,
  listSubscriptionRules,
  putSubscriptionRule,
  subscriptionRuleSchema,
} from './subscription-rules.ts';
import {
  connectionSyncSchema,
  getSyncRun,
  listConnectionSyncs,
  listSyncRuns,
  syncRunSchema,
  syncScheduleSchema,
  triggerSync,
  updateSync,
} from './syncs.ts';
import { health, ready } from './system.ts';
import {
  checkWebhookSubscriptions,
  getWebhookSubscriptions,
  webhookSubscriptionsSchema,
} from './webhook-subscriptions.ts';

export const contract = {
  system: { health, ready },
  environment: { get: getEnvironment },
  dashboard: {
    signIn: createDashboardSession,
    session: getDashboardSession,
    switchEnvironment: switchDashboardEnvironment,
    signOut: deleteDashboardSession,
    queue: getDashboardQueue,
  },
  apiKeys: { list: listApiKeys, create: createApiKey, revoke: revokeApiKey },
  integrations: {
    list: listIntegrations,
    create: createIntegration,
    get: getIntegration,
    update: updateIntegration,
    delete: deleteIntegration,
  },
  connections: {
    list: listConnections,
    get: getConnection,
    delete: deleteConnection,
    updateMetadata: updateConnectionMetadata,
    test: testConnection,
  },
  connectSessions: { create: createConnectSession },
  endpoints: {
    list: listEndpoints,
    create: createEndpoint,
    get: getEndpoint,
    update: updateEndpoint,
    delete: deleteEndpoint,
    getSecret: getEndpointSecret,
    rotateSecret: rotateEndpointSecret,
  },
  messages: {
    create: createMessage,
    list: listMessages,
    get: getMessage,
    attempts: listMessageAttempts,
    resend: resendMessage,
    recover: recoverEndpoint,
  },
  events: { list: listEvents, types: listEventTypes },
  inbound: {
    list: listInboundEvents,
    get: getInboundEvent,
    reprocess: reprocessInboundEvent,
    webhookUrl: getIntegrationWebhookUrl,
    issueWebhookToken: issueConnectionWebhookToken,
    setWebhookSecret: setConnectionWebhookSecret,
    webhookSubscriptions: getWebhookSubscriptions,
    checkWebhookSubscriptions,
  },
  syncs: {
    list: listConnectionSyncs,
    trigger: triggerSync,
    update: updateSync,
    listRuns: listSyncRuns,
    getRun: getSyncRun,
  },
  actions: { run: runAction, getRun: getActionRun, listRuns: listActionRuns },
  fieldMappings: { put: putFieldMapping, list: listFieldMappings, delete: deleteFieldMapping },
  cache: { invalidate: invalidateConnectionCache },
  records: { list: listRecords },
  endUsers: {
    upsert: upsertEndUser,
    list: listEndUsers,
    get: getEndUser,
    update: updateEndUser,
    delete: deleteEndUser,
    usage: getEndUserUsage,
  },
  plans: {
    list: listPlans,
    create: createPlan,
    get: getPlan,
    put: putPlan,
    delete: deletePlan,
    versions: listPlanVersions,
  },
  notifications: {
    getSettings: getNotificationSettings,
    putSettings: putNotificationSettings,
    listTemplates: listNotificationTemplates,
    getTemplate: getNotificationTemplate,
    putTemplate: putNotificationTemplate,
    deleteTemplate: deleteNotificationTemplate,
    preview: previewNotificationTemplate,
    list: listNotifications,
    get: getNotification,
  },
  hub: {
    createSession: createHubSession,
    get: getEndUserHub,
    getSettings: getHubSettings,
    updateSettings: updateHubSettings,
  },
  subscriptionRules: {
    list: listSubscriptionRules,
    create: createSubscriptionRule,
    get: getSubscriptionRule,
    put: putSubscriptionRule,
    delete: deleteSubscriptionRule,
  },
} as const;

export {
  type AuthMode,
  type BodyOf,
  defineOperation,
  type HttpMethod,
  type Operation,
  type ParamsOf,
  type QueryOf,
  type RequestOf,
  type ResponseOf,
} from './operation.ts';
export { type ErrorBody, errorBodySchema, idKindOf, idParam, listOf, timestamp } from './schemas.ts';
export {
  actionRunSchema,
  apiKeySchema,
  attemptSchema,
  connectionSchema,
  connectionSyncSchema,
  createdApiKeySchema,
  createdEndpointSchema,
  dashboardSessionSchema,
  endpointSchema,
  endUserSchema,
  environmentSchema,
  eventSchema,
  eventTypeSchema,
  fieldMappingSchema,
  hubViewSchema,
  inboundEventDetailSchema,
  inboundEventSchema,
  integrationSchema,
  messageSchema,
  notificationSchema,
  notificationSettingsSchema,
  notificationTemplateSchema,
  planSchema,
  planVersionSchema,
  recordSchema,
  renderedNotificationSchema,
  subscriptionRuleSchema,
  syncRunSchema,
  syncScheduleSchema,
  usageSchema,
  webhookSubscriptionsSchema,
};
