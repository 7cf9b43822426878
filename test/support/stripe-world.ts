/**
 * An engine in this process with a Stripe integration pointed at the Stripe emulator, and one end
 * user connected. By Connect OAuth (`stripe`, the default): their Standard account is created by
 * the emulator's `/oauth/authorize`, and every call of the Stripe scripts reaches it with the
 * platform's key and `Stripe-Account`. By own keys (`stripe-api-key`): the end user pastes the
 * secret key of their own account (the emulator's platform account here) on the connect page.
 * `apiUrl` (default the emulator) lets a test put a recorder in between.
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
  /** The account the connection acts on (the connected Standard account, or the own-keys one). */
  accountId: string;
  /** How the SDK reaches that account: `{ stripeAccount }` for Connect, nothing for own keys. */
  on: { stripeAccount?: string };
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
    /** `oauth` (Connect, the default) or `keys` (the end user's own secret key). */
    method?: 'oauth' | 'keys';
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
    const baseUrls = { 'https://api.stripe.com': apiUrl, 'https://connect.stripe.com': stripe.url };
    const { connectionId, accountId } =
      options.method === 'keys'
        ? await connectByKeys(engine, stripe, baseUrls)
        : await connectByOAuth(engine, stripe, baseUrls);
    const on = options.method === 'keys' ? {} : { stripeAccount: accountId };
    const sandbox = stripe;
    const world: StripeWorld = {
      engine,
      stripe: sandbox,
      connectionId,
      accountId,
      on,
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

async function connectByOAuth(
  engine: LibraryEngine,
  stripe: StripeSandbox,
  baseUrls: Record<string, string>,
): Promise<{ connectionId: string; accountId: string }> {
  const integration = await engine.call('POST', '/v1/integrations', {
    provider: 'stripe',
    clientId: stripe.platform.clientId,
    clientSecret: stripe.platform.secretKey,
    // The actions are under test: the syncs a new connection would start stay off.
    settings: { baseUrls, autoStartSyncs: [] },
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
  return { connectionId, accountId };
}

/** What the connect page does when the end user pastes their secret key. */
export async function connectByKeys(
  engine: LibraryEngine,
  stripe: StripeSandbox,
  baseUrls: Record<string, string>,
): Promise<{ connectionId: string; accountId: string }> {
  const integration = await engine.call('POST', '/v1/integrations', {
    provider: 'stripe-api-key',
    settings: {
      baseUrls: { 'https://api.stripe.com': baseUrls['https://api.stripe.com'] },
      autoStartSyncs: [],
    },
  });
  assert.equal(integration.status, 201, integration.text);
  const session = await engine.call('POST', '/v1/connect/sessions', { endUser: { id: 'end-user-1' } });
  assert.equal(session.status, 201, session.text);
  const connected = await fetch(`${engine.baseUrl}/connect/api/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.body.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ integration: 'stripe-api-key', values: { secretKey: stripe.platform.secretKey } }),
  });
  const body = (await connected.json()) as { connectionId: string };
  assert.equal(connected.status, 200, JSON.stringify(body));
  return { connectionId: body.connectionId, accountId: stripe.platform.id };
}

/** Every invoice of an account in the emulator (`on`: its id for Connect, or how the SDK reaches it), oldest first. */
export async function allInvoices(
  sdk: Stripe,
  on: string | { stripeAccount?: string },
): Promise<Stripe.Invoice[]> {
  const options = typeof on === 'string' ? { stripeAccount: on } : on;
  const invoices: Stripe.Invoice[] = [];
  for await (const invoice of sdk.invoices.list({ limit: 100 }, options)) invoices.push(invoice);
  return invoices.reverse();
}
