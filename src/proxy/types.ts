/**
 * The proxy's contracts. Two layers share one implementation:
 * - ProviderCaller sends one request with explicit credentials (no refresh): what auth uses for
 *   credential tests and metadata calls;
 * - ProxyClient takes a connection id: loads it, refreshes ahead of expiry and once on 401, then
 *   calls through ProviderCaller. The `/proxy/*` route and scripts use this one.
 */
import type { ConnectionContext, Credentials, ResolvedIntegration } from '../ports/connections.ts';

export interface ProviderRequest {
  method: string;
  /** Relative to the definition's proxy base URL (`/v2/sales`), or an absolute URL on the same origin. */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  /** A JSON value is serialized with `content-type: application/json`. */
  body?: string | Uint8Array | ReadableStream<Uint8Array> | NodeJS.ReadableStream | { json: unknown };
  /** Per attempt; default from config. */
  timeoutMs?: number;
  /** Override the definition's retry policy (e.g. 1 for non-idempotent writes). */
  maxAttempts?: number;
  signal?: AbortSignal;
}

export interface ProviderResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as it streams; read once. */
  body: ReadableStream<Uint8Array>;
  json<T = unknown>(): Promise<T>;
  text(): Promise<string>;
  /** How many attempts the proxy made (1 = no retry). */
  attempts: number;
}

/** Who a request is made for: a stored connection, or credentials being tested at connect time. */
export interface CallTarget {
  environmentId: string;
  /** Null while connecting (no connection yet): the request log row then has no connection. */
  connectionId: string | null;
  integration: ResolvedIntegration;
  connectionConfig: Record<string, string>;
  metadata: Record<string, unknown>;
  credentials: Credentials;
}

export interface ProviderCaller {
  call(target: CallTarget, request: ProviderRequest): Promise<ProviderResponse>;
}

export interface ProxyClient {
  /** Throws `not_found` for a connection outside the environment, `connection_reauth_required` (409) when it needs reconnecting. */
  request(environmentId: string, connectionId: string, request: ProviderRequest): Promise<ProviderResponse>;
}

/** Ensures a connection's token is fresh: single flight in the process, a lease lock across processes. */
export interface RefreshCoordinator {
  /**
   * Returns the connection with credentials valid for at least the configured margin. With
   * `force`, refreshes unless someone else refreshed after `staleUpdatedAt` (the 401 path).
   */
  ensureFresh(
    environmentId: string,
    connectionId: string,
    options?: { force?: boolean; staleUpdatedAt?: number },
  ): Promise<ConnectionContext>;
}

/** Whose cache entry it is: entries never cross connections or environments. */
export interface CacheScope {
  environmentId: string;
  connectionId: string;
}

/** A cached provider answer. */
export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The response cache as the script proxy uses it (implemented in src/proxy/cache.ts on `response_cache`). */
export interface ResponseCacheLike {
  /** A fresh cached answer to this GET request, or undefined. */
  get(scope: CacheScope, request: ProviderRequest): Promise<CachedResponse | undefined>;
  /** Stores a 2xx answer to this GET request for `ttlSeconds`. */
  put(
    scope: CacheScope,
    request: ProviderRequest,
    response: CachedResponse,
    ttlSeconds: number,
  ): Promise<void>;
}
