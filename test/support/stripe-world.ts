/**
 * An engine in this process with the `stripe` integration (Connect OAuth) pointed at the Stripe
 * emulator, and one end user connected: their Standard account is created by the emulator's
 * `/oauth/authorize`, and every call of the Stripe scripts reaches it with the platform's key and
 * `Stripe-Account`. `apiUrl` (default the emulator) lets a test put a recorder in between.
 */
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { type StripeSandbox, type StripeSandboxOptions, startStripeSandbox } from '../../sandbox/index.ts';
import { connectHeadless } from './connect-flow.ts';
import {
  type JsonAnswer,
  type LibraryEngine,
  type LibraryEngineOptions,
  startLibraryEngine,
  waitFor,
} from './library-engine.ts';

export interface StripeWorld {
  engine: LibraryEngine;
  stripe: StripeSandbox;
  connectionId: string;
  /** The connected (Standard) account the connection acts on. */
  accountId: string;
  /** The official SDK with the platform's key, aimed at the emulator (no retries). */
  sdk: Stripe;
  /** Runs an action and answers the API's reply. */
  run(
    action: string,
    input: unknown,
    options?: { async?: boolean; idempotencyKey?: string },
  ): Promise<JsonAnswer>;
  /** Polls an async run until it is finished. */
  finished(runId: string, timeoutMs?: number): Promise<JsonAnswer['body']>;
  close(): Promise<void>;
}

export async function startStripeWorld(
  options: {
    engine?: LibraryEngineOptions;
    sandbox?: Omit<StripeSandboxOptions, 'accounts'>;
    /** Where the engine sends Stripe calls (a recorder in front of the emulator); default the emulator. */
    apiUrl?: (sandbox: StripeSandbox) => Promise<string>;
  } = {},
): Promise<StripeWorld> {
  const engine = await startLibraryEngine({
    ...options.engine,
    config: { apiRateLimit: 1_000_000, ...options.engine?.config },
  });
  let stripe: StripeSandbox | undefined;
  try {
    stripe = await startStripeSandbox({
      // Live mode's limits, which the definition's proxy keeps to.
      rateLimit: { read: 100, write: 100 },
      ...options.sandbox,
      accounts: [{ redirectUris: [`${engine.baseUrl}/connect/oauth/callback`] }],
    });
    const apiUrl = options.apiUrl ? await options.apiUrl(stripe) : stripe.url;
    const integration = await engine.call('POST', '/v1/integrations', {
      provider: 'stripe',
      clientId: stripe.platform.clientId,
      clientSecret: stripe.platform.secretKey,
      settings: {
        baseUrls: { 'https://api.stripe.com': apiUrl, 'https://connect.stripe.com': stripe.url },
      },
    });
    assert.equal(integration.status, 201, integration.text);
    const { connectionId } = await connectHeadless({
      engineUrl: engine.baseUrl,
      apiKey: engine.apiKey,
      integration: 'stripe',
    });
    const connection = await engine.call('GET', `/v1/connections/${connectionId}`);
    const accountId = connection.body.metadata?.stripeAccountId as string;
    assert.match(accountId, /^acct_/, connection.text);
    const sandbox = stripe;
    const world: StripeWorld = {
      engine,
      stripe: sandbox,
      connectionId,
      accountId,
      sdk: new Stripe(sandbox.platform.secretKey, {
        host: '127.0.0.1',
        port: sandbox.port,
        protocol: 'http',
        maxNetworkRetries: 0,
        telemetry: false,
      }),
      run: (action, input, runOptions = {}) =>
        engine.call('POST', `/v1/connections/${connectionId}/actions/${action}`, {
          input,
          ...(runOptions.async ? { async: true } : {}),
          ...(runOptions.idempotencyKey ? { idempotencyKey: runOptions.idempotencyKey } : {}),
        }),
      finished: (runId, timeoutMs = 30_000) =>
        waitFor(
          `action run ${runId} to finish`,
          async () => {
            const run = await engine.call('GET', `/v1/action-runs/${runId}`);
            return run.body.status === 'succeeded' || run.body.status === 'failed' ? run.body : undefined;
          },
          timeoutMs,
        ),
      async close() {
        await engine.stop();
        await sandbox.close();
      },
    };
    return world;
  } catch (error) {
    await engine.stop();
    await stripe?.close();
    throw error;
  }
}

/** Every invoice of a connected account in the emulator, oldest first. */
export async function allInvoices(sdk: Stripe, accountId: string): Promise<Stripe.Invoice[]> {
  const invoices: Stripe.Invoice[] = [];
  for await (const invoice of sdk.invoices.list({ limit: 100 }, { stripeAccount: accountId }))
    invoices.push(invoice);
  return invoices.reverse();
}
