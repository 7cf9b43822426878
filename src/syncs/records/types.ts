import type { Kysely } from 'kysely';
import type { Clock } from '../../clock/index.ts';
import type { Database, Store } from '../../store/index.ts';

/** A validated record ready to store: its provider id, its JSON and the hash of that JSON. */
export interface PreparedRecord {
  externalId: string;
  payload: string;
  hash: string;
}

/** Whose records a write touches, and the run that writes them. */
export interface RecordsScope {
  environmentId: string;
  connectionId: string;
  runId: string;
}

/** Options of one upsert batch. */
export interface UpsertOptions {
  /**
   * Full syncs with delete detection: unchanged records are remembered as seen by `scope.runId`
   * (in the batch's transaction), so that `deleteUnseen` after the run spares them.
   */
  trackSeen?: boolean;
  /**
   * A sync run's start (epoch ms): records a webhook handler wrote at or after it are left as the
   * handler wrote them and counted unchanged — the handler's word is newer than the run's
   * listing (paid stays paid when a page listed before the payment is saved after it). Absent:
   * every given record is written (webhook handlers' own writes).
   */
  spareWebhookWritesSince?: number;
}

/** What one upsert batch did. A soft-deleted record that comes back counts as `added`. */
export interface UpsertCounts {
  added: number;
  updated: number;
  unchanged: number;
}

/** A record as readers see it. Times are epoch milliseconds. */
export interface StoredRecord {
  /** The provider's id of the record. */
  id: string;
  model: string;
  /** The stored payload, parsed. */
  data: Record<string, unknown>;
  deleted: boolean;
  firstSeenAt: number;
  modifiedAt: number;
  deletedAt: number | null;
}

/** Paging and filters of `list`. */
export interface ListRecordsOptions {
  /** `nextAfter` of the previous page. */
  after?: string;
  limit: number;
  /** Only records modified (added, changed or deleted) at or after this epoch ms. */
  modifiedSince?: number;
  /** Include soft-deleted records (with `deleted: true`). Default false. */
  includeDeleted?: boolean;
}

/** A page of records, oldest modification first. */
export interface RecordsPage {
  data: StoredRecord[];
  /** Cursor of the next page; null on the last one. */
  nextAfter: string | null;
}

/** A database handle for writes: `store.db` or a transaction on it. */
export type RecordsExecutor = Kysely<Database>;

/** Dependencies of the records repository. */
export interface RecordsRepositoryDeps {
  store: Pick<Store, 'db' | 'dialect'>;
  clock: Clock;
}

/** The normalized records of connections, scoped by environment. */
export interface RecordsRepository {
  /**
   * Inserts new records, rewrites changed ones (new payload and hash) and leaves unchanged ones
   * alone. Duplicate ids within `records`: the last wins and it is counted once.
   */
  upsert(
    trx: RecordsExecutor,
    scope: RecordsScope,
    model: string,
    records: readonly PreparedRecord[],
    options?: UpsertOptions,
  ): Promise<UpsertCounts>;
  /** Soft-deletes live records by provider id; answers how many it deleted. */
  softDelete(
    trx: RecordsExecutor,
    scope: RecordsScope,
    model: string,
    externalIds: readonly string[],
  ): Promise<number>;
  /**
   * Soft-deletes the live records of (connection, model) that run `runId` did not see; answers
   * how many. Records a webhook handler wrote (`webhookWriterId`) at or after `writtenBefore`
   * (epoch ms; the run's start; default: none spared) are spared: written while the run listed,
   * they are newer than the listing, not gone at the provider.
   */
  deleteUnseen(
    trx: RecordsExecutor,
    scope: RecordsScope,
    model: string,
    runId: string,
    writtenBefore?: number,
  ): Promise<number>;
  /** Drops what `trackSeen` remembered for `scope.runId` (every model); the run's close calls it. */
  forgetSeen(trx: RecordsExecutor, scope: RecordsScope): Promise<void>;
  /** Deletes every record of a deleted connection, and the ids its runs remembered. */
  forgetConnection(trx: RecordsExecutor, environmentId: string, connectionId: string): Promise<void>;
  /**
   * Serializes writers of the same records (by provider id) until `trx` ends, for writers that
   * read a record and then decide what to write (webhook handlers): two events about one invoice
   * processed at once then see each other's write instead of both reading the same old record.
   */
  lock(
    trx: RecordsExecutor,
    scope: RecordsScope,
    model: string,
    externalIds: readonly string[],
  ): Promise<void>;
  /**
   * The live record of (connection, model) with this provider id, or null; read with `executor`
   * (a webhook handler's transaction sees its own writes).
   */
  find(
    executor: RecordsExecutor,
    environmentId: string,
    connectionId: string,
    model: string,
    externalId: string,
  ): Promise<StoredRecord | null>;
  /** A page of a connection's records of `model`; `not_found` when the connection is not in the environment. */
  list(
    environmentId: string,
    connectionId: string,
    model: string,
    options: ListRecordsOptions,
  ): Promise<RecordsPage>;
  /** How many records of `model` a connection has (live only unless `includeDeleted`). */
  count(
    environmentId: string,
    connectionId: string,
    model: string,
    options?: { includeDeleted?: boolean },
  ): Promise<number>;
}
