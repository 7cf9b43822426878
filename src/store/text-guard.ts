/**
 * No text value bound to a query may contain U+0000 (NUL). PostgreSQL's text type cannot hold the
 * character: a query that binds it fails with error 22021, which reached clients as a 500 for
 * input as plain as `GET /v1/integrations/%00`. SQLite would store it, so a database that works
 * on one dialect would break on the other. The guard sits in the driver, under every query of
 * every module (API, webhook intake, jobs, prepared statements), and refuses such a value on
 * both dialects with `invalid_request` before the query runs. JSON text is unaffected: it
 * escapes the character as `\u0000`.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { PatchbayError } from '../errors/index.ts';

/** `dialect`, with every query's text parameters checked for U+0000. */
export function refuseNulText(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

/** Throws `invalid_request` when a text parameter of `query` holds U+0000. */
export function checkTextParameters(query: CompiledQuery): void {
  const parameters = query.parameters;
  // An index, not for…of: it runs for every statement (a sync binds ~3 values per record), and
  // the sync bench's allocation profile showed for…of here allocating per value (~70 B a record).
  for (let i = 0; i < parameters.length; i++) {
    const value = parameters[i];
    if (typeof value === 'string' && value.includes('\u0000')) {
      throw new PatchbayError(
        'invalid_request',
        'Text may not contain the NUL character (U+0000); remove it from the value you sent.',
      );
    }
  }
}

class GuardedDriver implements Driver {
  readonly #inner: Driver;
  // Kysely hands our connection back for transactions and release; the inner driver needs its own.
  readonly #inners = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await this.#inner.acquireConnection();
    const guarded: DatabaseConnection = {
      executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        checkTextParameters(query);
        return inner.executeQuery<R>(query);
      },
      streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
        checkTextParameters(query);
        return inner.streamQuery<R>(query, chunkSize);
      },
    };
    this.#inners.set(guarded, inner);
    return guarded;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(this.#innerOf(connection), settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(this.#innerOf(connection));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(this.#innerOf(connection));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(this.#innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }

  #innerOf(connection: DatabaseConnection): DatabaseConnection {
    return this.#inners.get(connection) ?? connection;
  }
}
