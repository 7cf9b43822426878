// Test support: a dispatcher in its own process, racing the test's dispatcher on one database
// (node:sqlite waits for a lock synchronously, so two stores of one SQLite file cannot race
// inside one process). Prints `{"events":…,"messages":…}` summed over its rounds, then exits.
//   node dispatcher-child.ts <databaseUrl> <dataDir> <batchSize> <rounds>

import { randomBytes } from 'node:crypto';
import { systemClock } from '../clock/index.ts';
import { createSqlQueue } from '../queue/index.ts';
import { openStore } from '../store/index.ts';
import { createVault, parseKeyring } from '../vault/index.ts';
import { createDispatcher } from './dispatcher.ts';
import { createEndpointsService } from './endpoints.ts';

const [databaseUrl = '', dataDir = '', batchSize = '10', rounds = '3'] = process.argv.slice(2);
const store = await openStore({ databaseUrl, dataDir, poolSize: 3 });
const queue = createSqlQueue(store, { clock: systemClock });
// Matching reads no secret: a throwaway key is enough.
const vault = createVault(parseKeyring(`c:${randomBytes(32).toString('base64')}`));
const dispatcher = createDispatcher({
  store,
  endpoints: createEndpointsService({ store, vault, clock: systemClock }),
  queue,
  clock: systemClock,
  batchSize: Number(batchSize),
});
// Ready: the parent starts its own dispatcher when it writes the go line, so both race.
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const total = { events: 0, messages: 0 };
for (let i = 0; i < Number(rounds); i++) {
  const report = await dispatcher.dispatchPending();
  total.events += report.events;
  total.messages += report.messages;
}
await queue.close();
await store.close();
process.stdout.write(`${JSON.stringify(total)}\n`);
process.stdin.destroy();
