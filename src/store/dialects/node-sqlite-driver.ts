import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { WalSync } from './wal-sync.ts';

const STATEMENT_CACHE_SIZE = 256;

/**
 * A Kysely dialect over Node's built-in `node:sqlite` (no native build step). Differences from
 * Kysely's own SQLite driver, each deliberate:
 * - write transactions start with BEGIN IMMEDIATE, so two processes on one file queue on the
 *   busy timeout instead of failing with SQLITE_BUSY when a reader upgrades to a writer;
 * - prepared statements are cached, because the queue and group commit run the same few
 *   statements many thousands of times a second;
 * - booleans are bound as 0/1 (node:sqlite refuses JS booleans);
 * - with a `WalSync` (file databases at `synchronous=NORMAL`), every commit that wrote is flushed
 *   to disk off the event loop before its caller goes on or the connection is handed on
 *   (./wal-sync.ts).
 */
export class NodeSqliteDialect implements Dialect {
  readonly #database: DatabaseSync;
  readonly #durability: WalSync | undefined;

  constructor(database: DatabaseSync, durability?: WalSync) {
    this.#database = database;
    this.#durability = durability;
  }

  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new NodeSqliteDriver(this.#database, this.#durability);
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

  constructor(database: DatabaseSync, durability: WalSync | undefined) {
    this.#connection = new NodeSqliteConnection(database, durability);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.#locked) await this.#locked;
    this.#locked = new Promise((resolve) => {
      this.#unlock = resolve;
    });
    return this.#connection;
  }

  async beginTransaction(): Promise<void> {
    await this.#connection.begin();
  }
  async commitTransaction(): Promise<void> {
    await this.#connection.commit();
  }
  async rollbackTransaction(): Promise<void> {
    await this.#connection.rollback();
  }

  async releaseConnection(): Promise<void> {
    const unlock = this.#unlock;
    this.#locked = undefined;
    this.#unlock = undefined;
    unlock?.();
  }

  async destroy(): Promise<void> {
    await this.#connection.close();
  }
}

// Statements that cannot write: after one of them outside a transaction there is nothing to flush.
const READ_ONLY = /^\s*select\b/i;

class NodeSqliteConnection implements DatabaseConnection {
  readonly #database: DatabaseSync;
  readonly #durability: WalSync | undefined;
  readonly #statements = new Map<string, { statement: StatementSync; reader: boolean }>();
  #inTransaction = false;

  constructor(database: DatabaseSync, durability: WalSync | undefined) {
    this.#database = database;
    this.#durability = durability;
  }

  async begin(): Promise<void> {
    this.#database.exec('begin immediate');
    this.#inTransaction = true;
  }

  async commit(): Promise<void> {
    this.#database.exec('commit');
    this.#inTransaction = false;
    await this.#durability?.sync();
  }

  async rollback(): Promise<void> {
    this.#inTransaction = false;
    this.#database.exec('rollback');
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { statement, reader } = this.#prepare(query.sql);
    const parameters = query.parameters.map(toSqliteValue);
    let result: QueryResult<R>;
    if (reader) result = { rows: statement.all(...parameters) as R[] };
    else {
      const { changes, lastInsertRowid } = statement.run(...parameters);
      result = { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
    }
    // A statement outside a transaction committed on its own: flush it like a commit.
    if (this.#durability && !this.#inTransaction && !READ_ONLY.test(query.sql)) await this.#durability.sync();
    return result;
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { statement } = this.#prepare(query.sql);
    for (const row of statement.iterate(...query.parameters.map(toSqliteValue))) {
      yield { rows: [row as R] };
    }
  }

  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#database.isOpen) this.#database.close();
    await this.#durability?.close();
  }

  #prepare(sql: string) {
    let entry = this.#statements.get(sql);
    if (!entry) {
      const statement = this.#database.prepare(sql);
      // A statement that returns columns (SELECT, or anything with RETURNING) is read with all().
      entry = { statement, reader: statement.columns().length > 0 };
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sql, entry);
    }
    return entry;
  }
}

function toSqliteValue(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as SQLInputValue;
}
