import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

const STATEMENT_CACHE_SIZE = 256;

/**
 * A Kysely dialect over Node's built-in `node:sqlite` (no native build step). Differences from
 * Kysely's own SQLite driver, each deliberate:
 * - write transactions start with BEGIN IMMEDIATE, so two processes on one file queue on the
 *   busy timeout instead of failing with SQLITE_BUSY when a reader upgrades to a writer;
 * - prepared statements are cached, because the queue and group commit run the same few
 *   statements many thousands of times a second;
 * - booleans are bound as 0/1 (node:sqlite refuses JS booleans);
 * - statements with numbered parameters (`?1`, reused within the statement) are bound by name
 *   where node:sqlite cannot bind them by position (Node 22; see `bindsNumberedByPosition`).
 */
export class NodeSqliteDialect implements Dialect {
  readonly #database: DatabaseSync;

  constructor(database: DatabaseSync) {
    this.#database = database;
  }

  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new NodeSqliteDriver(this.#database);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's introspector is typed against Kysely<any>.
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}

class NodeSqliteDriver implements Driver {
  readonly #connection: NodeSqliteConnection;
  // SQLite has one connection per handle: callers queue for it, transactions included.
  #locked: Promise<void> | undefined;
  #unlock: (() => void) | undefined;

  constructor(database: DatabaseSync) {
    this.#connection = new NodeSqliteConnection(database);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.#locked) await this.#locked;
    this.#locked = new Promise((resolve) => {
      this.#unlock = resolve;
    });
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const unlock = this.#unlock;
    this.#locked = undefined;
    this.#unlock = undefined;
    unlock?.();
  }

  async destroy(): Promise<void> {
    this.#connection.close();
  }
}

interface CachedStatement {
  statement: StatementSync;
  reader: boolean;
  /** Bind by name (`{ '?1': … }`): numbered parameters where Node cannot bind them by position. */
  byName: boolean;
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #database: DatabaseSync;
  readonly #statements = new Map<string, CachedStatement>();
  readonly #numberedByPosition: boolean;

  constructor(database: DatabaseSync) {
    this.#database = database;
    this.#numberedByPosition = bindsNumberedByPosition(database);
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { statement, reader, byName } = this.#prepare(query.sql);
    const args = bindArguments(query.parameters, byName);
    if (reader) return { rows: statement.all(...args) as R[] };
    const { changes, lastInsertRowid } = statement.run(...args);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { statement, byName } = this.#prepare(query.sql);
    for (const row of statement.iterate(...bindArguments(query.parameters, byName))) {
      yield { rows: [row as R] };
    }
  }

  close(): void {
    this.#statements.clear();
    if (this.#database.isOpen) this.#database.close();
  }

  #prepare(sql: string) {
    let entry = this.#statements.get(sql);
    if (!entry) {
      const statement = this.#database.prepare(sql);
      // A statement that returns columns (SELECT, or anything with RETURNING) is read with all().
      entry = {
        statement,
        reader: statement.columns().length > 0,
        byName: !this.#numberedByPosition && NUMBERED_PARAMETER.test(sql),
      };
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sql, entry);
    }
    return entry;
  }
}

// `?` then a digit: a numbered parameter. Kysely compiles plain `?`; numbered ones are written by
// hand (src/syncs/records/sql.ts), where a statement uses only numbered ones.
const NUMBERED_PARAMETER = /\?\d/;

/**
 * Whether node:sqlite binds positional arguments to numbered parameters. Node 22 (22.18
 * included) binds them only to unnamed `?`, and SQLite names a `?1` "?1", so the first argument
 * fails with "column index out of range"; Node 24 binds them. Binding by name works on both.
 */
export function bindsNumberedByPosition(database: DatabaseSync): boolean {
  try {
    database.prepare('select ?1').get(1);
    return true;
  } catch {
    return false;
  }
}

/**
 * The arguments of a statement's all/run/iterate: the parameters in order, or for a statement of
 * numbered parameters bound by name, one object naming each (`{ '?1': p[0], '?2': p[1], … }`).
 */
export function bindArguments(parameters: readonly unknown[], byName: boolean): SQLInputValue[] {
  if (!byName) return parameters.map(toSqliteValue);
  const named: Record<string, SQLInputValue> = {};
  parameters.forEach((value, index) => {
    named[`?${index + 1}`] = toSqliteValue(value);
  });
  // node:sqlite takes named values as an object in the first argument.
  return [named as unknown as SQLInputValue];
}

function toSqliteValue(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as SQLInputValue;
}
