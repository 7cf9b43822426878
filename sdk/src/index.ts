/**
 * The Patchbay SDK for host apps: a typed API client whose types are derived from the server's
 * contract, the error it throws, `connect()`, the browser popup of the connect flow, and
 * `verifyWebhook()`, for the host's webhook receiver (server side).
 */

export type { ErrorCode } from '../../src/errors/codes.ts';
export {
  type ActionInput,
  type ActionRun,
  type ApiKey,
  type Attempt,
  type Connection,
  type ConnectionSync,
  type ConnectionTestResult,
  type CreateApiKeyInput,
  type CreateConnectSessionInput,
  type CreatedApiKey,
  type CreatedConnectSession,
  type CreatedEndpoint,
  type CreateEndpointInput,
  type CreateIntegrationInput,
  type CreateMessageInput,
  type Endpoint,
  type Environment,
  type EventTypeInfo,
  type FieldMapping,
  type FieldMappingInput,
  type FieldMappingKind,
  type InboundEvent,
  type InboundEventDetail,
  type Integration,
  type InvalidateCacheOptions,
  type ListActionRunsQuery,
  type ListConnectionsQuery,
  type ListEndpointsQuery,
  type ListEventsQuery,
  type ListInboundEventsQuery,
  type ListMessagesQuery,
  type ListRecordsQuery,
  type ListSyncRunsQuery,
  type Message,
  PatchbayClient,
  type PatchbayClientOptions,
  type PatchbayEvent,
  type RotateEndpointSecretInput,
  type RunActionOptions,
  type SyncedRecord,
  type SyncRun,
  type SyncSchedule,
  type TriggeredSyncRun,
  type TriggerSyncOptions,
  type UpdateEndpointInput,
  type UpdateIntegrationInput,
  type UpdateSyncInput,
  type WaitForRunOptions,
  type WebhookSubscriptions,
} from './client.ts';
export {
  type ConnectErrorCode,
  type ConnectEvent,
  type ConnectOptions,
  type ConnectResult,
  connect,
  PatchbayConnectError,
} from './connect.ts';
export { type ClientErrorCode, isPatchbayApiError, PatchbayApiError } from './errors.ts';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
} from './webhooks.ts';
