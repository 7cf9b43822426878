/**
 * The delivery worker: the handler of `outbound.deliver` (one attempt of one message) and of
 * `outbound.sweep` (re-queue what a crash left behind).
 *
 * One attempt: load the message; skip it unless it is due (a job run twice, or a scheduled job
 * whose slot was taken, makes no second attempt); load the endpoint; wait for the endpoint's
 * concurrency slot and rate; sign and send; record the outcome in one transaction (see
 * record.ts); then queue the next scheduled attempt. A crash between the commit and that enqueue
 * loses nothing: the sweep finds the overdue message and queues it under the same dedupe key.
 *
 * A disabled endpoint gets no attempt: its message stays `pending` with no next attempt time
 * ("parked"), and the sweep queues parked messages again once their endpoint is enabled. A
 * deleted endpoint takes its messages with it: nothing to do.
 */
import type { Clock } from '../../clock/index.ts';
import { type IdFactory, newId } from '../../ids/index.ts';
import type { Logger } from '../../logger/index.ts';
import type { OutboundHttp } from '../../net/index.ts';
import {
  createCatalog,
  createJobs,
  JOB_COMPLETED,
  type JobHandlers,
  type JobLease,
  type PayloadOf,
  type TransactionalJobQueue,
} from '../../queue/index.ts';
import type { Store } from '../../store/index.ts';
import { deliverJob, deliveryDedupeKey, type OutboundJobs } from '../jobs.ts';
import { DEFAULT_RETRY_SCHEDULE_MS, type EndpointsService } from '../types.ts';
import { createEndpointLimits, type EndpointLimits } from './limits.ts';
import { type AttemptFacts, type RecordDeps, type RecordOutcome, recordAttempts } from './record.ts';
import { buildDeliveryRequest } from './request.ts';
import { sendDelivery } from './send.ts';
import { type DeliverJobs, type SweepCursor, type SweepReport, sweepMessages } from './sweep.ts';

export interface DeliveryWorkerOptions {
  store: Store;
  endpoints: Pick<EndpointsService, 'attemptOf'>;
  /** Attempts are recorded, and their jobs completed, in the queue's transactions. */
  queue: TransactionalJobQueue;
  http: OutboundHttp;
  clock: Clock;
  logger: Logger;
  ids?: IdFactory;
  /** Delays before each scheduled attempt (the first is the wait before attempt 1). */
  schedule?: readonly number[];
  /** ± fraction of each delay drawn at random. Default 0.2. */
  jitter?: number;
  /** Per attempt, connect to last body byte. Default 15 s. */
  timeoutMs?: number;
  /** The longest `Retry-After` (429, 503) honored. Default 1 h. */
  maxRetryAfterMs?: number;
  /** Default 24 h. */
  failingWarnAfterMs?: number;
  /** Default 5 days. */
  disableAfterMs?: number;
  /** Bytes of each response body kept in the attempt log. Default 4096. */
  responseBodyLimit?: number;
  /** Uniform in [0, 1): the jitter's source. Default Math.random. */
  random?: () => number;
  /** A message whose attempt is this late has lost its job. Default 30 s. */
  sweepGraceMs?: number;
  /** Messages re-queued per sweep batch, and batches per sweep. Defaults 500 and 20. */
  sweepBatchSize?: number;
  sweepMaxBatches?: number;
  /** In-process concurrency and rate limits per endpoint (shared when several workers run in one process). */
  limits?: EndpointLimits;
}

export type DeliverPayload = PayloadOf<OutboundJobs, 'outbound.deliver'>;

export type DeliveryResult =
  | {
      outcome: 'skipped';
      reason: 'message_missing' | 'not_due' | 'endpoint_deleted' | 'endpoint_disabled' | 'discarded';
    }
  | {
      outcome: 'attempted';
      attempt: number;
      /** The message's status after the attempt. */
      status: 'pending' | 'succeeded' | 'failed';
      /** The response status, or null with `errorCode` when none came. */
      responseStatus: number | null;
      errorCode: string | null;
      /** The next scheduled attempt this one queued. */
      nextAttemptAt: number | null;
    };

export interface DeliveryWorker {
  /** One attempt of one message (the `outbound.deliver` job). */
  deliver(payload: DeliverPayload, signal?: AbortSignal): Promise<DeliveryResult>;
  /** Re-queues overdue and un-parked messages (the `outbound.sweep` job). */
  sweep(signal?: AbortSignal): Promise<SweepReport>;
  /** The two job handlers, for the engine's worker. */
  readonly handlers: JobHandlers<OutboundJobs>;
}

/** A scheduled job may run a little before the message's time when processes' clocks differ. */
const DUE_TOLERANCE_MS = 1000;

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { store, endpoints, http, clock, logger } = options;
  const ids = options.ids ?? newId;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const responseBodyLimit = options.responseBodyLimit ?? 4096;
  const limits = options.limits ?? createEndpointLimits();
  const jobs: DeliverJobs = createJobs(options.queue, createCatalog([deliverJob]));
  const recordDeps: RecordDeps = {
    dialect: store.dialect.name,
    clock,
    ids,
    timing: {
      schedule: options.schedule ?? DEFAULT_RETRY_SCHEDULE_MS,
      jitter: options.jitter ?? 0.2,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 3600_000,
      random: options.random ?? Math.random,
    },
    health: {
      failingWarnAfterMs: options.failingWarnAfterMs ?? 24 * 3600_000,
      disableAfterMs: options.disableAfterMs ?? 5 * 24 * 3600_000,
    },
  };

  // Attempts finishing together are recorded in one of the queue's transactions (one fsync on
  // SQLite, shared with other jobs' completions, claims and new jobs), and the attempt's own job
  // completes in that same commit (given its lease). A failing batch is retried one attempt at a
  // time.
  const record: (facts: AttemptFacts, lease?: JobLease) => Promise<RecordOutcome> = options.queue.batcher(
    (trx, batch: AttemptFacts[]) => recordAttempts(trx, recordDeps, batch),
  );

  const park = async (environmentId: string, messageId: string, slot: number | null) => {
    if (slot === null) return;
    await store.db
      .updateTable('messages')
      .set({ next_attempt_at: null, updated_at: clock.now() })
      .where('environment_id', '=', environmentId)
      .where('id', '=', messageId)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', slot)
      .execute();
  };

  /**
   * One attempt. With a lease on the SQL queue, the job completes in the transaction that records
   * the attempt (`completed` true): the handler must not complete it again.
   */
  const attempt = async (
    payload: DeliverPayload,
    signal: AbortSignal | undefined,
    lease: JobLease | undefined,
  ): Promise<{ result: DeliveryResult; completed: boolean }> => {
    const skipped = (reason: Extract<DeliveryResult, { outcome: 'skipped' }>['reason']) => ({
      result: { outcome: 'skipped' as const, reason },
      completed: false,
    });
    const { environmentId, messageId, trigger } = payload;
    // The message and its endpoint in one read; the secrets are decrypted only for an attempt.
    const message = await endpoints.attemptOf(environmentId, messageId);
    if (!message) return skipped('message_missing');
    const slot = message.nextAttemptAt;
    if (trigger === 'scheduled' && !isDue(message.status, slot, clock.now())) {
      return skipped('not_due');
    }
    const target = message.target();
    if (!target) return skipped('endpoint_deleted');
    if (!target.enabled) {
      if (trigger === 'scheduled') await park(environmentId, messageId, slot);
      return skipped('endpoint_disabled');
    }

    const release = await limits.acquire(target, signal);
    let startedAt: number;
    let result: Awaited<ReturnType<typeof sendDelivery>>;
    try {
      startedAt = clock.now();
      const request = buildDeliveryRequest({
        messageId,
        payload: message.payload,
        url: target.url,
        customHeaders: target.headers,
        secrets: target.secrets,
        now: startedAt,
      });
      result = await sendDelivery(http.dispatcher, request, {
        timeoutMs,
        bodyLimit: responseBodyLimit,
        ...(signal ? { signal } : {}),
      });
    } finally {
      release();
    }

    const facts = { environmentId, messageId, endpointId: target.id, trigger, slot, startedAt, result };
    const completed = lease !== undefined;
    const outcome = await record(facts, completed ? lease : undefined);
    if (!outcome.recorded) return { result: { outcome: 'skipped', reason: 'discarded' }, completed };
    const log = { environmentId, messageId, endpointId: target.id, attempt: outcome.attempt };
    if (outcome.disabled) logger.warn({ ...log, reason: outcome.disabled }, 'webhook endpoint disabled');
    if (outcome.scheduledNext !== null) {
      try {
        await jobs.enqueue(
          'outbound.deliver',
          { environmentId, messageId, trigger: 'scheduled' },
          {
            environmentId,
            runAt: outcome.scheduledNext,
            dedupeKey: deliveryDedupeKey(messageId, outcome.attempt + 1),
          },
        );
      } catch (error) {
        // The attempt is recorded and the message keeps its next attempt time: the sweep
        // queues it once it is overdue.
        logger.warn({ ...log, err: error }, 'could not queue the next delivery attempt; the sweep will');
      }
    }
    // Checked first: the line's object would otherwise be built for every attempt and dropped.
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { ...log, status: outcome.status, responseStatus: result.status, errorCode: result.errorCode },
        'webhook delivery attempt',
      );
    }
    return {
      result: {
        outcome: 'attempted',
        attempt: outcome.attempt,
        status: outcome.status,
        responseStatus: result.status,
        errorCode: outcome.errorCode,
        nextAttemptAt: outcome.scheduledNext,
      },
      completed,
    };
  };
  const deliver = async (payload: DeliverPayload, signal?: AbortSignal): Promise<DeliveryResult> =>
    (await attempt(payload, signal, undefined)).result;

  const sweepCursor: SweepCursor = {};
  const sweep = (signal?: AbortSignal) =>
    sweepMessages(
      {
        store,
        cursor: sweepCursor,
        jobs,
        clock,
        graceMs: options.sweepGraceMs ?? 30_000,
        batchSize: options.sweepBatchSize ?? 500,
        maxBatches: options.sweepMaxBatches ?? 20,
      },
      signal,
    );

  return {
    deliver,
    sweep,
    handlers: {
      'outbound.deliver': async (payload, { signal, lease }) => {
        const { completed } = await attempt(payload, signal, lease);
        return completed ? JOB_COMPLETED : undefined;
      },
      'outbound.sweep': async (_payload, { signal }) => {
        const report = await sweep(signal);
        if (report.overdue + report.unparked > 0)
          logger.info(report, 'webhook delivery sweep re-queued messages');
      },
    },
  };
}

/** A scheduled attempt runs for a pending message whose time has come, or that has no time yet. */
function isDue(status: string, slot: number | null, now: number): boolean {
  return status === 'pending' && (slot === null || slot <= now + DUE_TOLERANCE_MS);
}
