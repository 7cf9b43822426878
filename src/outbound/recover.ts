/**
 * The `outbound.recover` job: resends, one manual attempt each, the failed messages of an
 * endpoint created since a time, at most `limit`, oldest first. Manual attempts schedule no
 * retries. Each resend carries a dedupe key, so a retried job (or two recover calls at once) does
 * not queue a message twice while its resend is pending.
 */
import {
  createCatalog,
  createJobs,
  type JobHandlers,
  type JobQueue,
  type PayloadOf,
} from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import { deliverJob, type OutboundJobs } from './jobs.ts';

export interface RecoverOptions {
  store: Pick<Store, 'db'>;
  queue: JobQueue;
  /** Messages read and queued per transaction. Default 500. */
  pageSize?: number;
}

/** The dedupe key of a recover resend of a message. */
export function recoverDedupeKey(messageId: string): string {
  return `recover:${messageId}`;
}

const catalog = createCatalog([deliverJob]);

/** Runs one recover job; returns how many resends it queued. */
export async function recoverFailedMessages(
  options: RecoverOptions,
  payload: PayloadOf<OutboundJobs, 'outbound.recover'>,
  signal?: AbortSignal,
): Promise<number> {
  const jobs = createJobs(options.queue, catalog);
  const pageSize = Math.max(1, options.pageSize ?? 500);
  let after: string | undefined;
  let queued = 0;
  while (queued < payload.limit && !signal?.aborted) {
    const page = await options.store.db
      .selectFrom('messages')
      .select('id')
      .where('environment_id', '=', payload.environmentId)
      .where('endpoint_id', '=', payload.endpointId)
      .where('status', '=', 'failed')
      .where('created_at', '>=', payload.since)
      .$if(after !== undefined, (query) => query.where('id', '>', after!))
      .orderBy('id')
      .limit(Math.min(pageSize, payload.limit - queued))
      .execute();
    if (page.length === 0) break;
    await jobs.enqueueMany(
      page.map((row) => ({
        name: 'outbound.deliver' as const,
        payload: { environmentId: payload.environmentId, messageId: row.id, trigger: 'manual' as const },
        options: { environmentId: payload.environmentId, dedupeKey: recoverDedupeKey(row.id) },
      })),
    );
    queued += page.length;
    after = page.at(-1)!.id;
  }
  return queued;
}

/** The `outbound.recover` handler, for the engine's worker. */
export function recoverHandlers(options: RecoverOptions): JobHandlers<OutboundJobs> {
  return {
    'outbound.recover': async (payload, { signal }) => {
      await recoverFailedMessages(options, payload, signal);
    },
  };
}
