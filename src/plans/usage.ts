/**
 * Usage counters per end user, metric and month, counted cheaply: a call adds to an in-memory
 * delta, and the deltas are written in one transaction (an upsert per counter) every
 * `flushIntervalMs` or when many are pending — never a row per call. A quota check reads the
 * stored value (remembered for `freshMs`, so other processes' counts arrive within that time)
 * plus this process's pending delta, so one process never lets a call past its quota.
 */
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { Logger } from '../logger/index.ts';
import type { Database, Store } from '../store/index.ts';
import { periodOf } from './period.ts';
import { USAGE_METRICS, type UsageMetric } from './schema.ts';

export interface UsageMeter {
  /** Counts `amount` of a metric for the end user in the current month. */
  add(environmentId: string, endUserId: string, metric: UsageMetric, amount?: number): void;
  /** The end user's count of a metric this month, pending deltas included. */
  current(environmentId: string, endUserId: string, metric: UsageMetric): Promise<number>;
  /** Every metric of a period (`YYYY-MM`, default the current one), pending deltas included. */
  read(environmentId: string, endUserId: string, period?: string): Promise<Record<UsageMetric, number>>;
  /** Writes pending deltas now. */
  flush(): Promise<void>;
  /** Removes an end user's counters (their deletion), in the caller's transaction. */
  forgetIn(trx: Kysely<Database>, environmentId: string, endUserId: string): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

export interface UsageMeterOptions {
  store: Pick<Store, 'db'>;
  clock: Clock;
  logger?: Logger;
  /** How often pending deltas are written. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Pending counters that trigger a write before the interval. Default 500. */
  maxPending?: number;
  /** How long a stored value is trusted before it is read again. Default 5000 ms. */
  freshMs?: number;
}

const SEPARATOR = '\u0000';

export function createUsageMeter(options: UsageMeterOptions): UsageMeter {
  const { clock, logger } = options;
  const db = options.store.db;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const maxPending = options.maxPending ?? 500;
  const freshMs = options.freshMs ?? 5000;
  /** Deltas not yet written, by counter key. */
  let pending = new Map<string, number>();
  /** Stored values as last read or written, by counter key. */
  const stored = new Map<string, { value: number; readAt: number }>();
  let flushing: Promise<void> | null = null;
  let closed = false;
  const timer = setInterval(() => void flush(), flushIntervalMs);
  timer.unref();

  const keyOf = (environmentId: string, endUserId: string, period: string, metric: string) =>
    [environmentId, endUserId, period, metric].join(SEPARATOR);

  async function writeBatch(batch: Map<string, number>): Promise<void> {
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      for (const [key, delta] of batch) {
        const [environmentId, endUserId, period, metric] = key.split(SEPARATOR) as [
          string,
          string,
          string,
          string,
        ];
        await trx
          .insertInto('usage_counters')
          .values({
            environment_id: environmentId,
            end_user_id: endUserId,
            period,
            metric,
            value: delta,
            updated_at: now,
          })
          .onConflict((conflict) =>
            conflict.columns(['environment_id', 'end_user_id', 'period', 'metric']).doUpdateSet({
              value: sql<number>`${sql.ref('usage_counters.value')} + ${delta}`,
              updated_at: now,
            }),
          )
          .execute();
      }
    });
    for (const [key, delta] of batch) {
      const known = stored.get(key);
      if (known) known.value += delta;
    }
  }

  function flush(): Promise<void> {
    if (flushing) return flushing.then(() => (pending.size > 0 ? flush() : undefined));
    if (pending.size === 0) return Promise.resolve();
    const batch = pending;
    pending = new Map();
    flushing = writeBatch(batch)
      .catch((error: unknown) => {
        // Kept for the next flush: a count is never dropped because the database was busy.
        for (const [key, delta] of batch) pending.set(key, (pending.get(key) ?? 0) + delta);
        logger?.warn({ err: error, counters: batch.size }, 'writing usage counters failed; retrying');
      })
      .finally(() => {
        flushing = null;
      });
    return flushing;
  }

  async function storedValue(
    key: string,
    environmentId: string,
    endUserId: string,
    period: string,
    metric: string,
  ) {
    const now = clock.now();
    const known = stored.get(key);
    if (known && now - known.readAt < freshMs) return known.value;
    // A flush in flight would be counted twice (in the row and still in memory): wait for it.
    if (flushing) await flushing;
    const row = await db
      .selectFrom('usage_counters')
      .select('value')
      .where('environment_id', '=', environmentId)
      .where('end_user_id', '=', endUserId)
      .where('period', '=', period)
      .where('metric', '=', metric)
      .executeTakeFirst();
    const value = row ? Number(row.value) : 0;
    // Bounded: past this many counters the remembered values start over (they are read again).
    if (stored.size >= 100_000) stored.clear();
    stored.set(key, { value, readAt: now });
    return value;
  }

  return {
    add(environmentId, endUserId, metric, amount = 1) {
      if (closed || amount <= 0) return;
      const key = keyOf(environmentId, endUserId, periodOf(clock.now()).key, metric);
      pending.set(key, (pending.get(key) ?? 0) + amount);
      if (pending.size >= maxPending) void flush();
    },

    async current(environmentId, endUserId, metric) {
      const period = periodOf(clock.now()).key;
      const key = keyOf(environmentId, endUserId, period, metric);
      const value = await storedValue(key, environmentId, endUserId, period, metric);
      return value + (pending.get(key) ?? 0);
    },

    async read(environmentId, endUserId, period = periodOf(clock.now()).key) {
      await flush();
      const rows = await db
        .selectFrom('usage_counters')
        .select(['metric', 'value'])
        .where('environment_id', '=', environmentId)
        .where('end_user_id', '=', endUserId)
        .where('period', '=', period)
        .execute();
      const result = Object.fromEntries(USAGE_METRICS.map((metric) => [metric, 0])) as Record<
        UsageMetric,
        number
      >;
      for (const row of rows) {
        if ((USAGE_METRICS as readonly string[]).includes(row.metric))
          result[row.metric as UsageMetric] = Number(row.value);
      }
      return result;
    },

    flush,

    async forgetIn(trx, environmentId, endUserId) {
      await trx
        .deleteFrom('usage_counters')
        .where('environment_id', '=', environmentId)
        .where('end_user_id', '=', endUserId)
        .execute();
      for (const map of [pending, stored]) {
        for (const key of map.keys()) {
          const [env, user] = key.split(SEPARATOR);
          if (env === environmentId && user === endUserId) map.delete(key);
        }
      }
    },

    async close() {
      clearInterval(timer);
      await flush();
      closed = true;
    },
  };
}
