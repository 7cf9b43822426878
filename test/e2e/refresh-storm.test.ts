/**
 * Issue 3's refresh storm, end to end: two `patchbay start` processes on one database, a
 * connection made through the connect flow against the OAuth sandbox (rotating refresh tokens),
 * then 1,000 concurrent proxy calls on its expired access token, half to each process. The
 * sandbox must receive exactly one refresh_token request and every call must succeed with the
 * token that refresh returned.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../support/databases.ts';
import { stopAll } from '../support/engine-process.ts';
import {
  createStormWorld,
  fireStorm,
  proxyTargets,
  type StormWorld,
  waitUntilExpired,
} from '../support/refresh-storm.ts';

const CALLS = 1000;

for (const target of await testDatabases()) {
  describe(`refresh storm: 2 engine processes on ${target.name}`, {
    skip: target.skip ?? false,
    timeout: 90_000,
  }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let world: StormWorld;
    before(async () => {
      database = await target.create!();
      world = await createStormWorld({ database, logLevel: 'info' });
    });
    after(async () => {
      await world?.close();
      await database?.destroy();
    });

    it(`${CALLS} concurrent proxy calls on an expired token: one token request, all succeed`, async () => {
      const { sandbox } = world;
      assert.equal(sandbox.stats.token.authorization_code, 1, 'the connect flow exchanged one code');
      assert.equal(sandbox.stats.token.refresh_token, 0, 'nothing refreshed before the storm');

      await waitUntilExpired(world);
      assert.ok(Date.now() > world.expiresAt, 'the stored access token has expired');

      const result = await fireStorm(proxyTargets(world), CALLS, '/health');

      assert.deepEqual(result.failures, []);
      assert.deepEqual(result.statuses, { 200: CALLS });
      assert.equal(sandbox.stats.token.refresh_token, 1, 'exactly one refresh_token request');
      assert.equal(sandbox.stats.token.total, 2, 'no other token request: the code, then one refresh');
      assert.equal(sandbox.stats.tokenErrors, 0);
      // Every call reached the provider with the refreshed token: none with the expired one.
      assert.equal(sandbox.stats.api.unauthorized, 0, 'no call was sent with the expired token');
      assert.equal(sandbox.stats.api.byPath['/api/me'], CALLS);
      assert.equal(result.tokensSeen.length, 1, `one token used: ${result.tokensSeen.join(', ')}`);
      // …the one the refresh returned: issued after the connect, so it lives an hour.
      assert.ok(Date.parse(result.tokensSeen[0]!) > world.expiresAt + 3_000_000, result.tokensSeen[0]);
      console.log(`# ${target.name}: ${CALLS} calls in ${Math.round(result.durationMs)} ms`);

      // The rotated credentials were stored: the connection is active with the new expiry.
      const response = await fetch(`${world.engines[1]!.url}/v1/connections/${world.connectionId}`, {
        headers: { authorization: `Bearer ${world.apiKeys[1]}` },
      });
      const connection = (await response.json()) as Record<string, unknown>;
      assert.equal(connection.status, 'active');
      assert.equal(connection.lastError, null);
      assert.ok(Date.parse(connection.expiresAt as string) > world.expiresAt + 3_000_000, 'the new expiry');

      // The logs, complete once the processes have exited: one process refreshed, the other
      // waited on the database lease and used its result; each served its half of the calls.
      assert.deepEqual(await stopAll(world.engines), [0, 0], 'both processes stop cleanly');
      const logs = world.engines.map((engine) => engine.logEntries());
      const refreshedBy = logs.map(
        (entries) => entries.filter((entry) => entry.msg === 'connection token refreshed').length,
      );
      assert.deepEqual(
        [...refreshedBy].sort(),
        [0, 1],
        `refreshes logged per process: ${refreshedBy.join(', ')}`,
      );
      const served = logs.map(
        (entries) => entries.filter((entry) => entry.route === '/proxy/*' && entry.statusCode === 200).length,
      );
      assert.deepEqual(served, [CALLS / 2, CALLS / 2], 'each process served half of the calls');
    });
  });
}
