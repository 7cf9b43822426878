/**
 * Issue 5's crash promise, end to end and small enough for `npm test`: 1,000 signed deliveries
 * posted by 16 concurrent senders to the intake of `patchbay start` (embedded SQLite) while the
 * engine is killed with SIGKILL twice and restarted on the same data dir. Senders retry what a
 * kill cut short; every event id answered 2xx must then be in `inbound_events` exactly once,
 * with the bytes sent. The full run is `npm run bench -- intake-crash` (10,000 deliveries,
 * 5 kills, SQLite and PostgreSQL); both share bench/fixtures/intake-crash.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runIntakeCrash } from '../../bench/fixtures/intake-crash.ts';

const DELIVERIES = 1000;
const KILLS = 2;

describe('inbound intake across engine crashes (SQLite)', { timeout: 60_000 }, () => {
  it(`${DELIVERIES} deliveries, ${KILLS} SIGKILLs: every acknowledged event is stored exactly once`, async () => {
    const result = await runIntakeCrash({
      deliveries: DELIVERIES,
      kills: KILLS,
      senders: 16,
      uptimeMs: [100, 300],
      timeoutMs: 40_000,
      log: (message) => console.log(`# ${message}`),
    });

    assert.deepEqual(result.problems, []);
    assert.equal(result.kills.length, KILLS);
    assert.ok(result.killsMidFlight >= KILLS, `${result.killsMidFlight} kills came while sending`);
    assert.equal(result.acknowledged, DELIVERIES, 'every delivery was acknowledged in the end');
    assert.deepEqual(result.acknowledgedButMissing, []);
    assert.deepEqual(result.storedTwice, []);
    assert.equal(result.bodyMismatches, 0);
    assert.equal(result.acknowledgedAndStored, result.acknowledged);
    console.log(
      `# ${result.retries} retries, ${result.duplicatesAnswered} answered duplicate, ` +
        `${result.storedNeverAcknowledged.length} stored unacknowledged, p99 ${result.latencyMs.p99} ms`,
    );
  });
});
