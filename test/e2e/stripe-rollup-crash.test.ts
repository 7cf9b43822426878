/**
 * Issue 16's crash promise for the live-selling rollup, end to end: `patchbay start` (embedded
 * SQLite) runs an async rollup of 200 buyers against the Stripe emulator and is killed with
 * SIGKILL once Stripe holds some of its invoices; restarted on the same database, the queue
 * reclaims the job when its lease (2 s here) runs out and, the action being resumable, the SAME
 * run is executed again as attempt 2. The emulator then holds exactly 200 invoices, one per
 * buyer, none twice; and exactly 200 `invoice.created` events were written (the first attempt's,
 * lost with it, are emitted by the resumed one for the invoices its run created).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { type StripeSandbox, startStripeSandbox } from '../../sandbox/index.ts';
import { connectHeadless } from '../support/connect-flow.ts';
import { sqliteTestDatabase } from '../support/databases.ts';
import { type EngineProcess, sharedEngineEnv, startEngineProcess } from '../support/engine-process.ts';
import { waitFor } from '../support/library-engine.ts';
import { allInvoices } from '../support/stripe-world.ts';

const BUYERS = 200;
/** Invoices finalized at Stripe before the kill. */
const KILL_AFTER = 40;

describe('a Stripe rollup across an engine SIGKILL', { timeout: 90_000 }, () => {
  it(`killed after ${KILL_AFTER}+ of ${BUYERS} invoices, the same run resumes: exactly ${BUYERS} invoices`, async () => {
    const database = sqliteTestDatabase();
    const engines: EngineProcess[] = [];
    let stripe: StripeSandbox | undefined;
    const t0 = performance.now();
    try {
      const env = {
        ...sharedEngineEnv({ dataDir: database.dataDir, databaseUrl: database.databaseUrl }),
        PATCHBAY_API_RATE_LIMIT: '1000000',
        PATCHBAY_JOB_LEASE_MS: '2000',
      };
      const first = await startEngineProcess({ env });
      engines.push(first);
      const apiKey = first.firstApiKey!;
      stripe = await startStripeSandbox({
        rateLimit: { read: 100, write: 100 },
        accounts: [{ redirectUris: [`${first.url}/connect/oauth/callback`] }],
      });
      const integration = await call(first.url, apiKey, 'POST', '/v1/integrations', {
        provider: 'stripe',
        clientId: stripe.platform.clientId,
        clientSecret: stripe.platform.secretKey,
        settings: { baseUrls: { '*': stripe.url }, autoStartSyncs: [] },
      });
      assert.equal(integration.status, 201, JSON.stringify(integration.body));
      const { connectionId } = await connectHeadless({ engineUrl: first.url, apiKey, integration: 'stripe' });
      const connection = await call(first.url, apiKey, 'GET', `/v1/connections/${connectionId}`);
      const accountId = (connection.body.metadata as { stripeAccountId: string }).stripeAccountId;

      const buyers = Array.from({ length: BUYERS }, (_, b) => ({
        buyerId: `buyer-${b}`,
        handle: `@viewer${b}`,
        items: [{ title: `Lot ${b}`, quantity: 1, unitAmount: 1000 + b, currency: 'usd' }],
      }));
      const queued = await call(
        first.url,
        apiKey,
        'POST',
        `/v1/connections/${connectionId}/actions/create-invoices-from-rollup`,
        {
          input: { rollupId: 'show-200', buyers, options: { concurrency: 16 } },
          async: true,
          idempotencyKey: 'show-200',
        },
      );
      assert.equal(queued.status, 202, JSON.stringify(queued.body));
      const runId = queued.body.id as string;

      const finalized = () => stripe!.stats.byPath['POST /v1/invoices/:id/finalize'] ?? 0;
      await waitFor(
        `${KILL_AFTER} finalized invoices`,
        () => (finalized() >= KILL_AFTER ? true : undefined),
        30_000,
      );
      await first.stop('SIGKILL');
      const atKill = finalized();
      const queuedToKill = Math.round(performance.now() - t0);
      assert.ok(atKill < BUYERS, `the kill came mid-rollup (${atKill} of ${BUYERS} finalized)`);
      const killedAt = performance.now();

      const second = await startEngineProcess({ env });
      engines.push(second);
      const restartMs = Math.round(performance.now() - killedAt);
      const run = await waitFor(
        `run ${runId} to finish after the restart`,
        async () => {
          const answer = await call(second.url, apiKey, 'GET', `/v1/action-runs/${runId}`);
          const status = answer.body.status as string;
          return status === 'succeeded' || status === 'failed' ? answer.body : undefined;
        },
        60_000,
      );
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.equal(run.attempt, 2, 'the same run, executed again once');
      const output = run.output as { invoiced: number; alreadyInvoiced: number; failed: number };
      assert.deepEqual([output.invoiced, output.alreadyInvoiced, output.failed], [BUYERS, 0, 0]);
      assert.deepEqual(run.progress, {
        done: BUYERS,
        total: BUYERS,
        updatedAt: (run.progress as { updatedAt: string }).updatedAt,
      });

      const sdk = new Stripe(stripe.platform.secretKey, {
        host: '127.0.0.1',
        port: stripe.port,
        protocol: 'http',
        maxNetworkRetries: 0,
        telemetry: false,
      });
      const invoices = await allInvoices(sdk, accountId);
      assert.equal(invoices.length, BUYERS, 'exactly one invoice per buyer');
      const pairs = new Set(invoices.map((i) => `${i.metadata?.rollupId}/${i.metadata?.buyerId}`));
      assert.equal(pairs.size, BUYERS, 'no (rollup, buyer) twice');
      assert.ok(
        invoices.every((i) => i.status === 'open' && i.hosted_invoice_url !== null),
        'all finalized',
      );
      assert.ok(
        invoices.every((i) => i.total === 1000 + Number(i.metadata?.buyerId?.slice('buyer-'.length))),
        'each with its one line, once',
      );
      let customers = 0;
      for await (const _ of sdk.customers.list({ limit: 100 }, { stripeAccount: accountId })) customers++;
      assert.equal(customers, BUYERS, 'one customer per buyer');

      let created = 0;
      let after: string | null = null;
      do {
        const page = await call(
          second.url,
          apiKey,
          'GET',
          `/v1/events?type=invoice.created&limit=100${after ? `&after=${after}` : ''}`,
        );
        created += (page.body.data as unknown[]).length;
        after = page.body.nextAfter as string | null;
      } while (after);
      assert.equal(created, BUYERS, 'one invoice.created per invoice, none lost with the killed attempt');
      console.log(
        `# setup + ${atKill} finalized at the kill: ${queuedToKill} ms; resumed and finished ${Math.round(performance.now() - killedAt)} ms after it (restart ${restartMs} ms); total ${Math.round(performance.now() - t0)} ms; ${stripe.stats.requests} requests, 429s ${JSON.stringify(stripe.stats.tooManyRequests)}`,
      );
    } finally {
      await Promise.allSettled(engines.map((engine) => engine.stop('SIGKILL')));
      await stripe?.close();
      await database.destroy();
    }
  });
});

async function call(
  url: string,
  apiKey: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
