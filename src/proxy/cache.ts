/**
 * The proxy's response cache, on `response_cache`: GET answers a script asked to cache
 * (`cacheTtlSeconds`), per connection. An entry is found by a key hashing everything that
 * makes two requests the same question; expired entries are misses until purgeExpired removes
 * them. Only path and query are stored as the entry's URL — never a host, userinfo or header.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound } from '../errors/index.ts';
import type { Database, Store } from '../store/index.ts';
import type { CacheScope, ProviderRequest, ResponseCacheLike } from './types.ts';

export interface ResponseCacheOptions {
  store: Store;
  clock: Clock;
  /** Answers with a bigger body are not cached. Default 1 MiB. */
  maxBodyBytes?: number;
}

/** The response cache with its maintenance operations. */
export interface ResponseCache extends ResponseCacheLike {
  /**
   * Removes a connection's entries, all of them or those whose path (and query) starts with
   * `pathPrefix` (plain string prefix, case-sensitive). Returns how many were removed. Throws
   * `not_found` for a connection outside the environment.
   */
  invalidate(environmentId: string, connectionId: string, options?: { pathPrefix?: string }): Promise<number>;
  /** Deletes entries of every environment that expired at or before `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
  /** Deletes every entry of a deleted connection, in the deleting transaction. */
  forgetConnection(trx: Kysely<Database>, environmentId: string, connectionId: string): Promise<void>;
}

/** Request headers that change a provider's answer; credentials are never part of the key. */
const VARY_HEADERS = ['accept', 'accept-language'] as const;

// Response headers that describe the moment or the session rather than the resource: not kept.
const DROPPED_HEADERS = new Set([
  'set-cookie',
  'set-cookie2',
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'date',
  'age',
  'retry-after',
]);
const DROPPED_PREFIXES = ['x-ratelimit-', 'ratelimit-', 'x-rate-limit-'];

/** The longest a caller may keep an entry: a day, whatever TTL it asks for. */
const MAX_TTL_SECONDS = 86_400;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The request's path with its query merged from `path` and `request.query`, sorted by name then
 * value, so the same question asked with parameters in another order finds the same entry. An
 * absolute URL keeps only its path and query.
 */
export function cacheUrlOf(request: Pick<ProviderRequest, 'path' | 'query'>): string {
  const parsed = new URL(request.path, 'http://cache.invalid');
  const pairs: Array<[string, string]> = [...parsed.searchParams];
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([name, one]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const query = new URLSearchParams(pairs).toString();
  return query === '' ? parsed.pathname : `${parsed.pathname}?${query}`;
}

function headerValue(headers: Record<string, string> | undefined, name: string): string {
  if (!headers) return '';
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return '';
}

/** The entry's key: sha256 over environment, connection, method, URL and the varying headers. */
export function cacheKeyOf(scope: CacheScope, request: ProviderRequest): string {
  const parts = [
    scope.environmentId,
    scope.connectionId,
    request.method.toUpperCase(),
    cacheUrlOf(request),
    ...VARY_HEADERS.map((name) => headerValue(request.headers, name)),
  ];
  // JSON keeps the parts apart: no two different lists serialize alike.
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function keptHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    const name = key.toLowerCase();
    if (DROPPED_HEADERS.has(name) || DROPPED_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    kept[name] = value;
  }
  return kept;
}

/** Creates the response cache over the store. */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { store, clock } = options;
  const db = store.db;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  return {
    async get(scope, request) {
      if (request.method.toUpperCase() !== 'GET') return undefined;
      const row = await db
        .selectFrom('response_cache')
        .select(['status', 'headers', 'body', 'expires_at'])
        .where('key', '=', cacheKeyOf(scope, request))
        .where('environment_id', '=', scope.environmentId)
        .where('connection_id', '=', scope.connectionId)
        .executeTakeFirst();
      if (!row || row.expires_at <= clock.now()) return undefined;
      return {
        status: row.status,
        headers: JSON.parse(row.headers) as Record<string, string>,
        body: new Uint8Array(Buffer.from(row.body, 'base64')),
      };
    },

    async put(scope, request, response, ttlSeconds) {
      if (request.method.toUpperCase() !== 'GET') return;
      if (response.status < 200 || response.status > 299) return;
      if (response.body.byteLength > maxBodyBytes) return;
      if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) return;
      const now = clock.now();
      const row = {
        key: cacheKeyOf(scope, request),
        environment_id: scope.environmentId,
        connection_id: scope.connectionId,
        method: 'GET',
        url: cacheUrlOf(request),
        status: response.status,
        headers: JSON.stringify(keptHeaders(response.headers)),
        body: Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString(
          'base64',
        ),
        created_at: now,
        expires_at: now + Math.round(Math.min(ttlSeconds, MAX_TTL_SECONDS) * 1000),
      };
      await db
        .insertInto('response_cache')
        .values(row)
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({
            status: row.status,
            headers: row.headers,
            body: row.body,
            created_at: row.created_at,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    },

    async invalidate(environmentId, connectionId, invalidateOptions = {}) {
      const connection = await db
        .selectFrom('connections')
        .select('id')
        .where('environment_id', '=', environmentId)
        .where('id', '=', connectionId)
        .executeTakeFirst();
      if (!connection) throw notFound('Connection', connectionId);
      const prefix = invalidateOptions.pathPrefix;
      const result = await db
        .deleteFrom('response_cache')
        .where('environment_id', '=', environmentId)
        .where('connection_id', '=', connectionId)
        // substr rather than LIKE: SQLite's LIKE ignores case and both need `%` and `_` escaped.
        // Both databases count characters (code points), as Array.from does.
        .$if(prefix !== undefined && prefix !== '', (query) =>
          query.where(sql<boolean>`substr(url, 1, ${Array.from(prefix!).length}) = ${prefix!}`),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async purgeExpired(now) {
      const result = await db.deleteFrom('response_cache').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async forgetConnection(trx, environmentId, connectionId) {
      await trx
        .deleteFrom('response_cache')
        .where('environment_id', '=', environmentId)
        .where('connection_id', '=', connectionId)
        .execute();
    },
  };
}
