/**
 * The outbound jobs, declared once (the engine adds them to its catalog):
 * - `outbound.dispatch`: fan out undispatched events to messages (nudged after each event
 *   commit, and every few seconds as a safety net);
 * - `outbound.deliver`: one delivery attempt of one message;
 * - `outbound.sweep`: re-queue pending messages whose attempt is overdue (a crash between
 *   recording an attempt and queueing the next one loses no message);
 * - `outbound.recover`: resend an endpoint's failed messages since a time, in the background.
 */
import { z } from 'zod';
import { type CatalogOf, defineJob } from '../queue/index.ts';

export const dispatchJob = defineJob({
  name: 'outbound.dispatch',
  payload: z.object({}),
  retry: { attempts: 1 },
  timeoutMs: 60_000,
});

export const deliverJob = defineJob({
  name: 'outbound.deliver',
  payload: z.object({
    environmentId: z.string(),
    messageId: z.string(),
    /** `manual`: a resend; it does not schedule further retries. */
    trigger: z.enum(['scheduled', 'manual']),
  }),
  // The message's own schedule drives retries; the job only retries when the worker itself failed.
  retry: { attempts: 3 },
  timeoutMs: 60_000,
});

export const sweepJob = defineJob({
  name: 'outbound.sweep',
  payload: z.object({}),
  retry: { attempts: 1 },
  timeoutMs: 60_000,
});

export const recoverJob = defineJob({
  name: 'outbound.recover',
  payload: z.object({
    environmentId: z.string(),
    endpointId: z.string(),
    since: z.number().int(),
    limit: z.number().int().positive(),
  }),
  retry: { attempts: 3 },
  timeoutMs: 10 * 60_000,
});

export const outboundJobs = [dispatchJob, deliverJob, sweepJob, recoverJob] as const;
export type OutboundJobs = CatalogOf<typeof outboundJobs>;

/** The dedupe key of a message's scheduled attempt `n`: re-queueing it twice is harmless. */
export function deliveryDedupeKey(messageId: string, attempt: number): string {
  return `deliver:${messageId}:${attempt}`;
}
