/**
 * Delivery crash benchmark (issue 4): 10,000 messages created through the API of `patchbay start`
 * (embedded SQLite) for one endpoint, a local receiver verifying every request with the official
 * `standardwebhooks` library, and the engine killed with SIGKILL after random uptimes at least 5
 * times while deliveries are outstanding, restarted each time on the same data dir. The retry
 * schedule is shortened to `0,1s,2s,5s` so that retries after the crashes come quickly.
 *
 * The receiver must end with all 10,000 distinct `webhook-id`s, every signature verified, and the
 * database must show every message `succeeded` with a recorded succeeded attempt: the benchmark
 * throws otherwise. Duplicates (redeliveries of messages whose attempt a kill cut short before it
 * was recorded, and nothing else) are reported, with the kills and the total time. See
 * fixtures/delivery-crash.ts.
 */
import { runDeliveryCrash } from './fixtures/delivery-crash.ts';
import type { Benchmark } from './lib/types.ts';

const MESSAGES = 10_000;
const KILLS = 5;

const benchmark: Benchmark = {
  name: 'delivery-crash',
  description: `${MESSAGES.toLocaleString('en-US')} webhook deliveries while the engine is killed (SIGKILL) at least ${KILLS} times`,
  async run({ log }) {
    const result = await runDeliveryCrash({
      messages: MESSAGES,
      kills: KILLS,
      clients: 32,
      uptimeMs: [300, 2000],
      // Attempts a kill cut short are retried once their job's lease (30 s) has run out, and
      // jobs lost between a commit and their enqueue once the minutely sweep finds them.
      settleTimeoutMs: 240_000,
      log,
    });
    if (result.problems.length > 0) {
      throw new Error(`the crash run broke its promises:\n- ${result.problems.join('\n- ')}`);
    }
    const { receiver, db } = result;
    const n = (value: number) => value.toLocaleString('en-US');
    const table: Array<Record<string, string | number | null>> = [
      ...result.kills.map((kill) => ({
        figure: `kill ${kill.kill} (SIGKILL)`,
        value: kill.deliveredAtKill,
        detail: `delivered when killed after ${n(kill.uptimeMs)} ms up; ${n(kill.createdAtKill)} created; ready again in ${n(kill.restartMs)} ms`,
      })),
      {
        figure: 'messages created through the API',
        value: result.messages,
        detail: `${n(result.creationRetries)} calls retried under their idempotency key while the engine was down`,
      },
      {
        figure: 'distinct webhook-ids at the receiver',
        value: receiver.distinctOk,
        detail: 'answered 200, signature verified',
      },
      {
        figure: 'requests at the receiver',
        value: receiver.requests,
        detail: `${n(receiver.verified)} verified, ${n(receiver.invalid)} refused`,
      },
      {
        figure: 'duplicates',
        value: result.duplicates,
        detail: `${result.duplicatePercent} % of the messages`,
      },
      {
        figure: 'attempts recorded',
        value: db.attempts,
        detail: `${n(result.unrecordedDeliveries)} deliveries cut short by a kill before their record`,
      },
      {
        figure: 'messages succeeded in the database',
        value: db.messagesByStatus.succeeded ?? 0,
        detail: `max ${db.maxAttemptsPerMessage} attempts per message`,
      },
      {
        figure: 'creation time, ms',
        value: result.creationMs,
        detail: 'first API call → last one confirmed',
      },
      {
        figure: 'total time, ms',
        value: result.totalMs,
        detail: 'first API call → last message at the receiver',
      },
    ];
    return {
      unit: 'distinct webhook-ids delivered and verified',
      value: receiver.distinctOk,
      ceiling: MESSAGES,
      goal: `all ${MESSAGES} distinct webhook-ids verified at the receiver across ≥ ${KILLS} SIGKILLs (ratio 1.0), every message succeeded with its attempts recorded`,
      // runDeliveryCrash lists every broken promise, and any makes this throw above.
      met: receiver.distinctOk === MESSAGES,
      details: {
        messages: result.messages,
        kills: result.kills,
        killsMidFlight: result.killsMidFlight,
        duplicates: result.duplicates,
        duplicatePercent: result.duplicatePercent,
        unrecordedDeliveries: result.unrecordedDeliveries,
        totalMs: result.totalMs,
        creationMs: result.creationMs,
        creationRetries: result.creationRetries,
        receiver: { ...receiver, invalidSamples: undefined },
        database: db,
        retrySchedule: '0,1s,2s,5s',
        dialect: 'sqlite',
        node: process.versions.node,
      },
      table,
    };
  },
};

export default benchmark;
