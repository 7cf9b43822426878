/**
 * The inbound jobs, declared once (the engine adds them to its catalog):
 * - `inbound.process`: route one stored event and emit `inbound.<provider>.<type>`;
 * - `inbound.sweep`: re-queue events still `received` a minute after they arrived (the process
 *   crashed between storing an event and queueing its job);
 * - `inbound.expire-dedupe`: clear the dedupe key of events older than the dedupe window, so a
 *   provider may legitimately resend the same id much later.
 */
import { z } from 'zod';
import { type CatalogOf, defineJob } from '../queue/index.ts';

export const processJob = defineJob({
  name: 'inbound.process',
  payload: z.object({ environmentId: z.string(), inboundEventId: z.string() }),
  retry: { attempts: 5 },
  timeoutMs: 60_000,
});

export const sweepJob = defineJob({
  name: 'inbound.sweep',
  payload: z.object({}),
  retry: { attempts: 1 },
  timeoutMs: 60_000,
});

export const expireDedupeJob = defineJob({
  name: 'inbound.expire-dedupe',
  payload: z.object({}),
  retry: { attempts: 3 },
  timeoutMs: 60_000,
});

export const inboundJobs = [processJob, sweepJob, expireDedupeJob] as const;
export type InboundJobs = CatalogOf<typeof inboundJobs>;

/** Cron schedules of the inbound jobs (the engine declares them with its own). */
export const inboundSchedules = [
  { name: 'inbound.sweep', cron: '* * * * *', job: 'inbound.sweep', payload: {} },
  { name: 'inbound.expire-dedupe', cron: '23 * * * *', job: 'inbound.expire-dedupe', payload: {} },
] as const;

/** The queue dedupe key of an event's processing job: queueing it twice is harmless. */
export function processDedupeKey(inboundEventId: string): string {
  return `inbound:${inboundEventId}`;
}
