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
}

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
      return getKey(environmentId, keyId);
    },

    async authenticate(secret) {
      // Malformed input never reaches the database; well-formed keys are found by their hash
      // through the unique index, so no secret is ever compared character by character.
      if (!parseApiKey(secret)) return null;
      // Read on every request, never cached: a revoked key is refused at once by every process.
      const hash = hashApiKey(secret);
      const [row] = (await db.executeQuery(authenticateQuery({ hash }))).rows;
      if (!row || row.revokedAt !== null) return null;
      const now = clock.now();
      if (row.lastUsedAt === null || now - row.lastUsedAt >= resolution) {
        // Conditional, so concurrent requests (in any process) write it once per interval.
        await db
          .updateTable('api_keys')
          .set({ last_used_at: now })
          .where('id', '=', row.keyId)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - resolution)]))
          .execute();
      }
      return {
        keyId: row.keyId,
        environment: {
          id: row.environmentId,
          name: row.environmentName,
          createdAt: row.environmentCreatedAt,
        },
      };
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
