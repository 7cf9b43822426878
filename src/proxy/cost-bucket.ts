/**
 * Pacing by cost: the proxy's side of a cost-based bucket (the definition's `rateLimit.cost`).
 *
 * Per key the proxy keeps what the provider last said of its bucket (points available, its size
 * and refill rate, and when it said so) and the points of the calls in flight. A call waits until
 * the bucket, refilled since that answer, holds its expected cost beyond what is in flight, then
 * reserves it; its answer replaces the estimate with the provider's own figures. The expected
 * cost of a query is the `requested` cost its previous call reported (a provider checks the
 * requested cost before it runs a query, then refunds what the query did not use); a query not
 * seen yet expects a full bucket, which a provider that caps a query at its bucket size always
 * admits.
 *
 * The provider's figures are dated when the answer arrives, later than the provider computed
 * them, so the estimate lags the real bucket and can only be cautious. Calls are served first come,
 * first served per key.
 */
import { createHash } from 'node:crypto';
import type { CostBucket } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import type { Sleep } from '../concurrency/sleep.ts';
import { isObject, scalarText, valueAt } from '../values/path.ts';

/** A reservation of points for one call; settle it with its answer, or release it without. */
export interface CostTicket {
  readonly key: string;
  readonly query: string;
  readonly cost: number;
}

/** What an answer said: whether it was refused for want of points. */
export interface CostSettlement {
  throttled: boolean;
}

export interface CostBuckets {
  /** Waits until the bucket of `key` holds the expected cost of this request, and reserves it. */
  acquire(key: string, bucket: CostBucket, requestBody: unknown, signal?: AbortSignal): Promise<CostTicket>;
  /** Learns from a parsed JSON answer and frees the reservation. */
  settle(ticket: CostTicket, bucket: CostBucket, body: unknown): CostSettlement;
  /** Frees the reservation of a call whose answer says nothing of the bucket. */
  release(ticket: CostTicket): void;
}

interface BucketState {
  maximum: number;
  restoreRate: number;
  /** Points available at `at`, as last reported (or assumed). */
  available: number;
  at: number;
  /** Points reserved by calls in flight. */
  reserved: number;
}

// Keys and query estimates kept per process; beyond this many the oldest are forgotten, so a
// process serving many connections does not grow without bound (a forgotten key starts full
// again and learns from its next answer).
const MAX_ENTRIES = 10_000;

export function createCostBuckets(options: { clock: Clock; sleep: Sleep }): CostBuckets {
  const { clock, sleep } = options;
  const states = new Map<string, BucketState>();
  const estimates = new Map<string, number>();
  const queues = new Map<string, Promise<void>>();
  // The call waiting for points under a key is woken when a call in flight settles: its answer
  // may report more points (or a faster refill) than the wait was computed from.
  const wakers = new Map<string, () => void>();

  const waitForPoints = async (key: string, ms: number, signal?: AbortSignal) => {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    wakers.set(key, () => controller.abort());
    try {
      await sleep(ms, controller.signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      if (!controller.signal.aborted) throw error;
    } finally {
      wakers.delete(key);
      signal?.removeEventListener('abort', onAbort);
    }
  };

  const stateOf = (key: string, bucket: CostBucket): BucketState => {
    let state = states.get(key);
    if (!state) {
      state = {
        maximum: bucket.maximum,
        restoreRate: bucket.restoreRate,
        available: bucket.maximum,
        at: clock.now(),
        reserved: 0,
      };
      remember(states, key, state);
    }
    return state;
  };

  const refill = (state: BucketState, now: number) => {
    const elapsed = Math.max(0, now - state.at);
    state.available = Math.min(state.maximum, state.available + (state.restoreRate * elapsed) / 1000);
    state.at = now;
  };

  const reserve = async (key: string, bucket: CostBucket, query: string, signal?: AbortSignal) => {
    for (;;) {
      signal?.throwIfAborted();
      const state = stateOf(key, bucket);
      refill(state, clock.now());
      const cost = Math.min(state.maximum, estimates.get(query) ?? state.maximum);
      const free = state.available - state.reserved;
      if (free >= cost) {
        state.reserved += cost;
        return { key, query, cost };
      }
      // Calls in flight settle with fresh figures meanwhile; the wait is recomputed after it.
      await waitForPoints(key, Math.max(1, Math.ceil(((cost - free) / state.restoreRate) * 1000)), signal);
    }
  };

  const unreserve = (ticket: CostTicket) => {
    const state = states.get(ticket.key);
    if (state) state.reserved = Math.max(0, state.reserved - ticket.cost);
  };
  const wake = (key: string) => wakers.get(key)?.();

  return {
    async acquire(key, bucket, requestBody, signal) {
      const query = `${key}\n${queryIdentity(bucket, requestBody)}`;
      const previous = queues.get(key) ?? Promise.resolve();
      const mine = previous.then(() => reserve(key, bucket, query, signal));
      const tail = mine.then(
        () => {},
        () => {},
      );
      queues.set(key, tail);
      try {
        return await mine;
      } finally {
        if (queues.get(key) === tail) queues.delete(key);
      }
    },

    settle(ticket, bucket, body) {
      unreserve(ticket);
      const paths = bucket.paths;
      const requested = finite(valueAt(body, paths.requested));
      if (requested !== undefined) remember(estimates, ticket.query, requested);
      const available = finite(valueAt(body, paths.available));
      const maximum = finite(valueAt(body, paths.maximum));
      const restoreRate = finite(valueAt(body, paths.restoreRate));
      const state = states.get(ticket.key);
      if (state && available !== undefined) {
        if (maximum !== undefined && maximum > 0) state.maximum = maximum;
        if (restoreRate !== undefined && restoreRate > 0) state.restoreRate = restoreRate;
        state.available = Math.min(state.maximum, Math.max(0, available));
        state.at = clock.now();
      }
      wake(ticket.key);
      return { throttled: isThrottled(bucket, body) };
    },

    release(ticket) {
      unreserve(ticket);
      wake(ticket.key);
    },
  };
}

/** Whether the answer's error list holds one of the definition's throttled codes. */
export function isThrottled(bucket: CostBucket, body: unknown): boolean {
  const errors = valueAt(body, bucket.paths.errors);
  if (!Array.isArray(errors)) return false;
  return errors.some((error) => {
    const code = isObject(error) ? scalarText(valueAt(error, bucket.paths.errorCode)) : undefined;
    return code !== undefined && bucket.throttledCodes.includes(code);
  });
}

function queryIdentity(bucket: CostBucket, requestBody: unknown): string {
  if (bucket.estimateBy === undefined) return '';
  const value = scalarText(valueAt(requestBody, bucket.estimateBy));
  if (value === undefined) return '';
  return createHash('sha256').update(value).digest('base64url');
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_ENTRIES) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
