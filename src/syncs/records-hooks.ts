/**
 * The records-changed path, in one place: a sync run's close and a webhook handler both report
 * the models they changed here, which appends `records.changed` to the outbox and calls the
 * listeners other modules registered — inside the transaction that wrote the records, so a
 * listener's own writes (a job it queues) commit with them or not at all. The plans module
 * re-derives plans from `subscriptions` records this way, for every provider that writes them.
 * A listener must not call the network here: it queues a job.
 */
import type { Kysely } from 'kysely';
import { appendEvent, type OutboxDeps } from '../events/index.ts';
import type { Database } from '../store/index.ts';

/** One model of one connection whose records changed, as `records.changed` reports it. */
export interface RecordsChange {
  /** The writing transaction. */
  trx: Kysely<Database>;
  environmentId: string;
  connectionId: string;
  integrationId: string;
  integrationKey: string;
  provider: string;
  endUserId: string;
  model: string;
  added: number;
  updated: number;
  deleted: number;
  /**
   * No record this change wrote has a modification stamp before this instant (epoch ms): a
   * listener reads what changed as the model's records modified since then.
   */
  since: number;
  /** The sync and run, or null for a webhook handler's writes. */
  sync: string | null;
  syncRunId: string | null;
  /** The webhook handler and inbound event, for a handler's writes. */
  webhookHandler?: string;
  inboundEventId?: string;
}

export type RecordsChangedListener = (change: RecordsChange) => Promise<void>;

export interface RecordsHooks {
  onChanged(listener: RecordsChangedListener): void;
  /**
   * Appends `records.changed` and runs every listener in registration order, in `change.trx`;
   * a listener's error fails the transaction (the run's close or the webhook's processing,
   * which their jobs retry).
   */
  changed(change: RecordsChange, outbox: OutboxDeps): Promise<void>;
}

export function createRecordsHooks(): RecordsHooks {
  const listeners: RecordsChangedListener[] = [];
  return {
    onChanged: (listener) => void listeners.push(listener),
    async changed(change, outbox) {
      const { trx, environmentId, since: _since, webhookHandler, inboundEventId, ...data } = change;
      await appendEvent(
        trx,
        {
          environmentId,
          type: 'records.changed',
          data: {
            connectionId: data.connectionId,
            integrationId: data.integrationId,
            integrationKey: data.integrationKey,
            provider: data.provider,
            endUserId: data.endUserId,
            sync: data.sync,
            syncRunId: data.syncRunId,
            ...(webhookHandler === undefined ? {} : { webhookHandler }),
            ...(inboundEventId === undefined ? {} : { inboundEventId }),
            model: data.model,
            added: data.added,
            updated: data.updated,
            deleted: data.deleted,
          },
        },
        outbox,
      );
      for (const listener of listeners) await listener(change);
    },
  };
}
