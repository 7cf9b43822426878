/**
 * The proxy: every request to a provider goes through it. ProviderCaller (caller.ts) makes one
 * call with explicit credentials — auth injection, rate limits, retries, timeouts, request log;
 * ProxyClient (client.ts) adds connections, refresh and the one retry on 401; route.ts exposes
 * it as `/proxy/*`.
 */

export { realSleep, type Sleep } from '../concurrency/sleep.ts';
export { createProviderCaller, type ProviderCallerOptions, rateLimitKey } from './caller.ts';
export { createProxyClient, type ProxyClientOptions, targetOf } from './client.ts';
export {
  createProviderRateLimits,
  type ProviderRateLimits,
  type ProviderRateLimitsOptions,
  type RateLimiterFactory,
} from './rate-limits.ts';
export {
  createRequestLog,
  type RequestLog,
  type RequestLogEntry,
  type RequestLogOptions,
} from './request-log.ts';
export type * from './types.ts';
