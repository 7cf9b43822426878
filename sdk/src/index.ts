/**
 * The Patchbay SDK for host apps: a typed API client whose types are derived from the server's
 * contract, and the error it throws.
 */

export type { ErrorCode } from '../../src/errors/codes.ts';
export {
  type ApiKey,
  type CreateApiKeyInput,
  type CreatedApiKey,
  type Environment,
  PatchbayClient,
  type PatchbayClientOptions,
} from './client.ts';
export { type ClientErrorCode, isPatchbayApiError, PatchbayApiError } from './errors.ts';
