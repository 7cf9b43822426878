/**
 * Delivery of outbound webhooks: the `outbound.deliver` and `outbound.sweep` job handlers, the
 * retry schedule, per-endpoint limits and auto-disable. See worker.ts.
 */
export { createEndpointLimits, type EndpointLimits } from './limits.ts';
export { buildDeliveryRequest, type DeliveryRequest, USER_AGENT } from './request.ts';
export { jittered, nextAttemptAt, type RetryTiming } from './retry-schedule.ts';
export { deliverySweepSchedule, type SweepReport } from './sweep.ts';
export {
  createDeliveryWorker,
  type DeliverPayload,
  type DeliveryResult,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
} from './worker.ts';
