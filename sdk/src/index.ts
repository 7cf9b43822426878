/**
 * The Patchbay SDK for host apps: a typed API client whose types are derived from the server's
 * contract, the error it throws, and `connect()`, the browser popup of the connect flow.
 */

export type { ErrorCode } from '../../src/errors/codes.ts';
export {
  type ApiKey,
  type Connection,
  type ConnectionTestResult,
  type CreateApiKeyInput,
  type CreateConnectSessionInput,
  type CreatedApiKey,
  type CreatedConnectSession,
  type CreateIntegrationInput,
  type Environment,
  type Integration,
  type ListConnectionsQuery,
  PatchbayClient,
  type PatchbayClientOptions,
  type UpdateIntegrationInput,
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
