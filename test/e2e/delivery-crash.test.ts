/**
 * Issue 4's crash promise, end to end and small enough for `npm test`: 500 messages created
 * through the API of `patchbay start` (embedded SQLite) while the engine is killed with SIGKILL
 * twice during the deliveries and restarted on the same data dir. The receiver (its own process,
 * verifying with the official `standardwebhooks` library) must get every message's webhook-id,
 * and the database must show each message succeeded with its attempt recorded. The full run is
 * `npm run bench -- delivery-crash` (10,000 messages, 5 kills); both share
 * bench/fixtures/delivery-crash.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDeliveryCrash } from '../../bench/fixtures/delivery-crash.ts';

const MESSAGES = 500;
const KILLS = 2;

describe('webhook delivery across engine crashes (SQLite)', { timeout: 180_000 }, () => {
  it(`${MESSAGES} messages, ${KILLS} SIGKILLs mid-delivery: every webhook-id arrives verified, nothing lost`, async () => {
    const result = await runDeliveryCrash({
      messages: MESSAGES,
      kills: KILLS,
      clients: 16,
      uptimeMs: [150, 600],
      settleTimeoutMs: 120_000,
      log: (message) => console.log(`# ${message}`),
    });

    assert.deepEqual(result.problems, []);
    assert.ok(result.killsMidFlight >= KILLS, `${result.killsMidFlight} kills came during deliveries`);
    assert.equal(result.receiver.distinctOk, MESSAGES, 'every webhook-id was answered 200');
    assert.equal(result.receiver.invalid, 0, 'every request verified with the endpoint secret');
    assert.deepEqual(result.missing, []);
    assert.deepEqual(result.strays, []);
    assert.equal(result.db.messages, MESSAGES, 'one message per idempotency key, retries included');
    assert.deepEqual(result.db.messagesByStatus, { succeeded: MESSAGES });
    assert.equal(result.db.succeededWithoutAttempt, 0);
    // Each recorded attempt is a request the receiver saw; requests beyond them were cut short
    // by a kill before their attempt was recorded.
    assert.ok(result.unrecordedDeliveries >= 0, `${result.unrecordedDeliveries} deliveries unrecorded`);
    console.log(
      `# ${result.kills.length} kills, ${result.duplicates} duplicates (${result.duplicatePercent} %), ` +
        `${result.db.attempts} attempts recorded, all delivered in ${result.totalMs} ms`,
    );
  });
});
