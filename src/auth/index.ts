/**
 * The auth module: OAuth 2.0 flows on oauth4webapi, key-based modes checked with the provider's
 * own test call, Shopify-style install verification, revocation. See types.ts for the contract.
 */
export { type AuthServiceOptions, createAuthService, type EngineAuthService } from './service.ts';
export type { AuthorizationResult, AuthorizationStart, AuthService } from './types.ts';
