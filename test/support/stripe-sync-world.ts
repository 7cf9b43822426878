/**
 * An engine in this process with a Stripe Connect integration pointed at the Stripe emulator and
 * one seller connected through Connect OAuth, whose account was seeded with customers and invoices
 * before it connected. Connecting starts the Stripe syncs at once, as for any new connection.
 * What the Stripe sync end-to-end test and `npm run bench -- stripe-sync` start from.
 */
import assert from 'node:assert/strict';
import { type StripeRateLimit, type StripeSandbox, startStripeSandbox } from '../../sandbox/index.ts';
import { connectHeadless } from './connect-flow.ts';
import {
  type JsonAnswer,
  type LibraryEngine,
  type LibraryEngineOptions,
  startLibraryEngine,
  waitFor,
} from './library-engine.ts';

export interface StripeSyncWorld {
  engine: LibraryEngine;
  stripe: StripeSandbox;
  /** The connected seller's account (`acct_…`), whose data the syncs read. */
  accountId: string;
  connectionId: string;
  /** The finished run of a sync: the latest, or the one with this id. */
  finishedRun(sync: string, runId?: string): Promise<JsonAnswer['body']>;
  close(): Promise<void>;
}

export interface StripeSyncWorldOptions {
  engine?: LibraryEngineOptions;
  /** The emulator's limit (default Stripe's test mode, 25 reads and 25 writes per second). */
  rateLimit?: StripeRateLimit | false;
  /** Seeded into the seller's account before it connects. */
  customers: number;
  invoices: number;
  /** Seeded into the platform's own account: data the syncs must not read. */
  platformCustomers?: number;
}

export async function startStripeSyncWorld(options: StripeSyncWorldOptions): Promise<StripeSyncWorld> {
  const engine = await startLibraryEngine(options.engine);
  let stripe: StripeSandbox | undefined;
  try {
    stripe = await startStripeSandbox({
      accounts: [{ redirectUris: [`${engine.baseUrl}/connect/oauth/callback`] }],
      rateLimit: options.rateLimit ?? { read: 25, write: 25 },
    });
    const sandbox = stripe;
    const { accountId } = sandbox.control.connectAccount({ email: 'seller@example.com' });
    if (options.customers > 0) sandbox.control.seedCustomers(options.customers, { account: accountId });
    if (options.invoices > 0) sandbox.control.seedInvoices(options.invoices, { account: accountId });
    if (options.platformCustomers) sandbox.control.seedCustomers(options.platformCustomers);
    // The seller goes through Connect OAuth with the account that holds the seeded data.
    sandbox.control.authorizeAs(accountId);

    const integration = await engine.call('POST', '/v1/integrations', {
      provider: 'stripe',
      clientId: sandbox.platform.clientId,
      clientSecret: sandbox.platform.secretKey,
      settings: { baseUrls: { '*': sandbox.url } },
    });
    assert.equal(integration.status, 201, integration.text);
    const { connectionId } = await connectHeadless({
      engineUrl: engine.baseUrl,
      apiKey: engine.apiKey,
      integration: 'stripe',
    });

    return {
      engine,
      stripe: sandbox,
      accountId,
      connectionId,
      finishedRun: (sync, runId) =>
        waitFor(
          `the ${sync} run to finish`,
          async () => {
            const answer = runId
              ? await engine.call('GET', `/v1/sync-runs/${runId}`)
              : await engine.call('GET', `/v1/sync-runs?connectionId=${connectionId}&sync=${sync}&limit=1`);
            const run = runId ? answer.body : answer.body.data?.[0];
            return run && ['succeeded', 'failed'].includes(run.status) ? run : undefined;
          },
          120_000,
        ),
      async close() {
        await engine.stop();
        await sandbox.close();
      },
    };
  } catch (error) {
    await engine.stop();
    await stripe?.close();
    throw error;
  }
}
