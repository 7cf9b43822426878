import { z } from 'zod';
import { actionJobs, actionSchedules } from '../actions/index.ts';
import { refreshDueJobs, refreshDueSchedule } from '../connections/refresh-job.ts';
import { inboundJobs, inboundSchedules } from '../inbound/jobs.ts';
import { notificationJobs, notificationSchedules } from '../notifications/jobs.ts';
import { deliverySweepSchedule } from '../outbound/delivery/index.ts';
import { outboundJobs } from '../outbound/jobs.ts';
import { planJobs } from '../plans/jobs.ts';
import { createCatalog, defineJob } from '../queue/index.ts';
import { syncJobs, syncSchedules } from '../syncs/jobs.ts';
import { webhookSubscriptionJobs, webhookSubscriptionSchedules } from '../webhook-subscriptions/jobs.ts';

/**
 * The engine's job catalog: every durable job any module runs, declared in one place (name,
 * payload schema, retry policy, timeout). Modules add their jobs here; handlers are typed from it.
 */
export const engineJobs = createCatalog([
  defineJob({
    name: 'maintenance.purge-dead-jobs',
    payload: z.object({ retentionDays: z.number().int().positive() }),
    retry: { attempts: 3 },
    timeoutMs: 60_000,
  }),
  defineJob({
    name: 'maintenance.purge-expired-connect-state',
    payload: z.object({ graceMinutes: z.number().int().nonnegative() }),
    retry: { attempts: 3 },
    timeoutMs: 60_000,
  }),
  ...refreshDueJobs,
  ...outboundJobs,
  ...inboundJobs,
  ...syncJobs,
  ...actionJobs,
  ...webhookSubscriptionJobs,
  ...notificationJobs,
  ...planJobs,
]);

export type EngineJobs = typeof engineJobs;

/** Cron schedules the engine keeps declared (re-declaring an unchanged one keeps its next run). */
export const engineSchedules = [
  {
    name: 'maintenance.purge-dead-jobs',
    cron: '17 3 * * *',
    job: 'maintenance.purge-dead-jobs',
    // Dead jobs stay inspectable for two weeks, then go.
    payload: { retentionDays: 14 },
  },
  {
    name: 'maintenance.purge-expired-connect-state',
    cron: '41 * * * *',
    job: 'maintenance.purge-expired-connect-state',
    // Expired OAuth states and connect sessions are useless; an hour's grace keeps them for debugging.
    payload: { graceMinutes: 60 },
  },
  refreshDueSchedule,
  deliverySweepSchedule,
  ...inboundSchedules,
  ...syncSchedules,
  ...actionSchedules,
  ...webhookSubscriptionSchedules,
  ...notificationSchedules,
] as const;
