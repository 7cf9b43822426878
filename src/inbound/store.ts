/**
 * Durable, deduplicated storage of verified deliveries. Concurrent intake requests share one
 * transaction (group commit): with SQLite at `synchronous=FULL` each commit is an fsync, and a
 * provider burst of a hundred deliveries then costs one. A request is answered only after the
 * transaction holding its rows committed.
 *
 * Dedupe is the unique (integration_id, dedupe_key): an insert that conflicts writes nothing
 * (`on conflict do nothing`), so a provider's retry, also one in the same batch, is reported as
 * a duplicate without failing its neighbours.
 */
import type { Kysely } from 'kysely';
import type { IdFactory } from '../ids/index.ts';
import { GroupCommit } from '../queue/sql/group-commit.ts';
import type { Database, InboundEventsTable, Store } from '../store/index.ts';

/** One event of a verified delivery, ready to store. */
export interface NewInboundEvent {
  environmentId: string;
  integrationId: string;
  provider: string;
  providerEventId: string | null;
  dedupeKey: string;
  eventType: string | null;
  contentType: string | null;
  headers: Record<string, string>;
  body: Buffer;
  /** Known at intake for URL-token routing and per-connection secrets; else routed by the job. */
  connectionIds: readonly string[];
  receivedAt: number;
}

export type StoreOutcome = { id: string; duplicate: false } | { id: null; duplicate: true };

export interface InboundWriter {
  /** Stores the events of one delivery (all in one transaction); resolves after the commit. */
  store(events: readonly NewInboundEvent[]): Promise<StoreOutcome[]>;
  close(): Promise<void>;
}

export interface InboundWriterDeps {
  store: Pick<Store, 'db'>;
  ids: IdFactory;
}

export function createInboundWriter(deps: InboundWriterDeps): InboundWriter {
  const commits = new GroupCommit<readonly NewInboundEvent[]>((deliveries) =>
    deps.store.db.transaction().execute(async (trx) => {
      const results: StoreOutcome[][] = [];
      for (const events of deliveries) results.push(await insertAll(trx, deps.ids, events));
      return results;
    }),
  );
  return {
    store: (events) => commits.submit<StoreOutcome[]>(events),
    close: () => commits.close(),
  };
}

async function insertAll(
  trx: Kysely<Database>,
  ids: IdFactory,
  events: readonly NewInboundEvent[],
): Promise<StoreOutcome[]> {
  const outcomes: StoreOutcome[] = [];
  for (const event of events) {
    const row: InboundEventsTable = {
      id: ids('inboundEvent', event.receivedAt),
      environment_id: event.environmentId,
      integration_id: event.integrationId,
      provider: event.provider,
      provider_event_id: storableText(event.providerEventId),
      dedupe_key: storableText(event.dedupeKey),
      event_type: storableText(event.eventType),
      content_type: event.contentType,
      headers: JSON.stringify(event.headers),
      body: event.body.toString('base64'),
      status: 'received',
      connection_ids: JSON.stringify(event.connectionIds),
      attempts: 0,
      error_code: null,
      error_message: null,
      received_at: event.receivedAt,
      processed_at: null,
    };
    const inserted = await trx
      .insertInto('inbound_events')
      .values(row)
      .onConflict((conflict) => conflict.columns(['integration_id', 'dedupe_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    outcomes.push(inserted ? { id: inserted.id, duplicate: false } : { id: null, duplicate: true });
  }
  return outcomes;
}

/**
 * An id or type the provider chose, as a text column can hold it: PostgreSQL's text refuses NUL,
 * which would fail the whole commit (503, and the provider retrying for ever), so it becomes
 * U+FFFD on both databases. The body keeps the provider's exact bytes.
 */
function storableText<T extends string | null>(value: T): T {
  return (value === null ? value : value.replaceAll('\u0000', '\ufffd')) as T;
}
