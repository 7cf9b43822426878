import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { type IdFactory, newId } from '../ids/index.ts';
import {
  type ApiKeysTable,
  type Database,
  type EnvironmentsTable,
  marker,
  prepare,
  type Store,
} from '../store/index.ts';
import {
  displayPrefix,
  generateApiKey,
  hashApiKey,
  parseApiKey,
  type RandomSource,
} from './api-key-format.ts';
import {
  type ApiKey,
  type AuthenticatedKey,
  type BootstrapResult,
  type CreatedApiKey,
  ENVIRONMENT_NAMES,
  type Environment,
} from './types.ts';

/** Stands for the key hash in authenticate()'s query compiled once (never a valid hash). */

/** How stale `last_used_at` may get: it is written at most once per this interval per key. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface EnvironmentsServiceOptions {
  store: Pick<Store, 'db'>;
  clock: Clock;
  ids?: IdFactory;
  random?: RandomSource;
  /** Default LAST_USED_RESOLUTION_MS. */
  lastUsedResolutionMs?: number;
  /**
   * How long an authenticated key is remembered by this process, ms (at most
   * MAX_AUTH_CACHE_MS; 0 turns the cache off). Default 0: the API server turns it on.
   */
  authCacheMs?: number;
}

/**
 * The longest an API server may remember an authenticated key: a key revoked by another process
 * (the CLI, another server) is refused by this one at most this long after (at once when it is
 * revoked through this service).
 */
export const MAX_AUTH_CACHE_MS = 5_000;
// Keys remembered at once; the oldest is forgotten first. Few keys are in use at a time.
const AUTH_CACHE_ENTRIES = 1_000;

/** Environments and their secret API keys. Every key operation is scoped to one environment. */
export interface EnvironmentsService {
  /**
   * Creates the `dev` and `prod` environments and the first `dev` key if they do not exist.
   * Idempotent and safe when several processes start at once: exactly one of them creates the
   * key and gets its secret back.
   */
  ensureBootstrap(): Promise<BootstrapResult>;
  listEnvironments(): Promise<Environment[]>;
  /** Throws `not_found` for an unknown id. */
  getEnvironment(id: string): Promise<Environment>;
  /** Throws `not_found` for an unknown name. */
  getEnvironmentByName(name: string): Promise<Environment>;
  /** Creates a key; the returned secret is never retrievable again. */
  createKey(environmentId: string, input: { name: string }): Promise<CreatedApiKey>;
  /** Keys of one environment (active and revoked), oldest first. */
  listKeys(environmentId: string): Promise<ApiKey[]>;
  /** Throws `not_found` when the key is not in this environment. */
  getKey(environmentId: string, keyId: string): Promise<ApiKey>;
  /**
   * Revokes a key of this environment (idempotent: revoking twice keeps the first time).
   * Throws `not_found` when the key is not in this environment.
   */
  revokeKey(environmentId: string, keyId: string): Promise<ApiKey>;
  /** The environment a secret key acts in, or null when it is unknown, malformed or revoked. */
  authenticate(secret: string): Promise<AuthenticatedKey | null>;
}

/** Creates the environments service over a store. */
export function createEnvironmentsService(options: EnvironmentsServiceOptions): EnvironmentsService {
  const { clock } = options;
  const db = options.store.db;
  const ids = options.ids ?? newId;
  const random = options.random;
  const resolution = options.lastUsedResolutionMs ?? LAST_USED_RESOLUTION_MS;
  const authCacheMs = Math.min(Math.max(0, options.authCacheMs ?? 0), MAX_AUTH_CACHE_MS);
  // authenticate() runs for every API request, `/proxy/*` calls included; its read costs more
  // CPU than the rest of the authentication. Remembered: the key's hash (never the secret) →
  // who it acts as (no credential), briefly, and forgotten at once on a revocation made here.
  const authCache = new Map<string, { auth: AuthenticatedKey; until: number }>();
  // Bumped by every revocation here, so that an authentication whose read raced with it does not
  // remember the key it read before the revocation.
  let revocations = 0;

  // authenticate() runs for every API request. Its SQL never changes, so Kysely builds and
  // compiles it once (that costs more than running it on SQLite); each call binds its own hash.
  const authenticateQuery = prepare(
    db
      .selectFrom('api_keys')
      .innerJoin('environments', 'environments.id', 'api_keys.environment_id')
      .select([
        'api_keys.id as keyId',
        'api_keys.revoked_at as revokedAt',
        'api_keys.last_used_at as lastUsedAt',
        'environments.id as environmentId',
        'environments.name as environmentName',
        'environments.created_at as environmentCreatedAt',
      ])
      .where('api_keys.hash', '=', marker('hash'))
      .compile(),
  );

  async function insertKey(
    executor: Kysely<Database>,
    environment: Environment,
    name: string,
  ): Promise<CreatedApiKey> {
    const now = clock.now();
    const secret = generateApiKey(environment.name, random);
    const row = {
      id: ids('apiKey', now),
      environment_id: environment.id,
      name,
      prefix: displayPrefix(secret),
      hash: hashApiKey(secret),
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    };
    await executor.insertInto('api_keys').values(row).execute();
    return { apiKey: toApiKey(row), secret };
  }

  async function findEnvironment(column: 'id' | 'name', value: string): Promise<Environment> {
    const row = await db.selectFrom('environments').selectAll().where(column, '=', value).executeTakeFirst();
    if (!row) throw notFound('Environment', value);
    return toEnvironment(row);
  }

  async function listEnvironments(): Promise<Environment[]> {
    const rows = await db.selectFrom('environments').selectAll().orderBy('id').execute();
    return rows.map(toEnvironment);
  }

  async function getKey(environmentId: string, keyId: string): Promise<ApiKey> {
    const row = await db
      .selectFrom('api_keys')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('id', '=', keyId)
      .executeTakeFirst();
    if (!row) throw notFound('API key', keyId);
    return toApiKey(row);
  }

  return {
    listEnvironments,
    getKey,

    async ensureBootstrap() {
      const firstKey = await db.transaction().execute(async (trx) => {
        let created: Environment | undefined;
        for (const name of ENVIRONMENT_NAMES) {
          const now = clock.now();
          // A concurrent insert of the same name waits for the other transaction and then does
          // nothing (PostgreSQL), or runs after it (SQLite's BEGIN IMMEDIATE): only the process
          // whose insert took effect creates the first key.
          const inserted = await trx
            .insertInto('environments')
            .values({ id: ids('environment', now), name, created_at: now })
            .onConflict((conflict) => conflict.column('name').doNothing())
            .returningAll()
            .executeTakeFirst();
          if (inserted && name === 'dev') created = toEnvironment(inserted);
        }
        return created ? insertKey(trx, created, 'Default dev key') : null;
      });
      return { environments: await listEnvironments(), firstKey };
    },

    getEnvironment: (id) => findEnvironment('id', id),
    getEnvironmentByName: (name) => findEnvironment('name', name),

    async createKey(environmentId, input) {
      const environment = await findEnvironment('id', environmentId);
      const name = input.name.trim();
      if (name === '') throw new PatchbayError('validation_failed', 'An API key needs a name');
      return insertKey(db, environment, name);
    },

    async listKeys(environmentId) {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .orderBy('id')
        .execute();
      return rows.map(toApiKey);
    },

    async revokeKey(environmentId, keyId) {
      await db
        .updateTable('api_keys')
        .set({ revoked_at: clock.now() })
        .where('environment_id', '=', environmentId)
        .where('id', '=', keyId)
        .where('revoked_at', 'is', null)
        .execute();
      revocations += 1;
      for (const [hash, entry] of authCache) {
        if (entry.auth.keyId === keyId) authCache.delete(hash);
      }
      return getKey(environmentId, keyId);
    },

    async authenticate(secret) {
      // Malformed input never reaches the database; well-formed keys are found by their hash
      // through the unique index, so no secret is ever compared character by character.
      if (!parseApiKey(secret)) return null;
      // Read on every request unless the API server turned on the short cache (authCacheMs): then
      // a key revoked elsewhere is refused by this process within that time, and at once when
      // it was revoked here.
      const hash = hashApiKey(secret);
      const now = clock.now();
      const cached = authCache.get(hash);
      if (cached !== undefined) {
        if (cached.until > now) return cached.auth;
        authCache.delete(hash);
      }
      const revocationsBefore = revocations;
      const [row] = (await db.executeQuery(authenticateQuery({ hash }))).rows;
      if (!row || row.revokedAt !== null) return null;
      if (row.lastUsedAt === null || now - row.lastUsedAt >= resolution) {
        // Conditional, so concurrent requests (in any process) write it once per interval.
        await db
          .updateTable('api_keys')
          .set({ last_used_at: now })
          .where('id', '=', row.keyId)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - resolution)]))
          .execute();
      }
      const auth: AuthenticatedKey = {
        keyId: row.keyId,
        environment: {
          id: row.environmentId,
          name: row.environmentName,
          createdAt: row.environmentCreatedAt,
        },
      };
      if (authCacheMs > 0 && revocations === revocationsBefore) {
        if (authCache.size >= AUTH_CACHE_ENTRIES) {
          const oldest = authCache.keys().next().value;
          if (oldest !== undefined) authCache.delete(oldest);
        }
        authCache.set(hash, { auth, until: now + authCacheMs });
      }
      return auth;
    },
  };
}

function toEnvironment(row: Selectable<EnvironmentsTable>): Environment {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    environmentId: row.environment_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
