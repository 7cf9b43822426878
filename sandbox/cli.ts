/**
 * `node sandbox/cli.ts [oauth|gumroad|resend|sendgrid|whop|woocommerce|shopify] [--port N]`: runs one
 * emulator — the generic OAuth sandbox (default), the Gumroad emulator, the Resend or SendGrid email
 * API, Whop, a WooCommerce store, or Shopify —
 * until SIGINT or SIGTERM, printing what an integration needs to use it. (`patchbay demo` runs
 * them wired to an engine.)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startGumroadSandbox } from './gumroad/server.ts';
import { startOAuthSandbox } from './oauth/server.ts';
import { startResendSandbox } from './resend/server.ts';
import { startSendGridSandbox } from './sendgrid/server.ts';
import { startShopifySandbox } from './shopify/server.ts';
import { startWhopSandbox } from './whop/server.ts';
import { startWooCommerceSandbox } from './woocommerce/server.ts';

const USAGE = `usage: node sandbox/cli.ts [oauth|gumroad|resend|sendgrid|whop|woocommerce|shopify] [options]
  oauth                    the generic OAuth 2.0 provider with its me/items/echo API (default)
  gumroad                  the Gumroad emulator (OAuth and API v2; --rotate, --interactive and
                           --access-token-ttl do not apply)
  resend                   the Resend emulator (API key; only --port applies)
  sendgrid                 the SendGrid v3 emulator (API key; only --port applies)
  whop                     the Whop v1 emulator (company API key; only --port applies)
  woocommerce              a WooCommerce store (consumer key/secret, OAuth 1.0a over http; only
                           --port applies; seeded with 25 products, 10 orders, 5 customers)
  shopify                  the Shopify emulator (OAuth and Admin GraphQL; --port and --client-id
                           apply)
  --port N                 port on 127.0.0.1 (default 4010 oauth, 4011 gumroad, 4012 resend,
                           4013 sendgrid, 4014 whop, 4015 woocommerce, 4016 shopify; 0 picks a
                           free one)
  --sales N                gumroad: initial sales (default 100)
  --client-id ID           demo client id (default sandbox-client)
  --client-secret SECRET   demo client secret (default: random, printed)
  --redirect-uri URI       registered redirect URI (repeatable; default Patchbay's local callback)
  --access-token-ttl S     access token lifetime in seconds (default 3600)
  --rotate                 rotate refresh tokens on every refresh
  --interactive            show a consent page with an Approve button
  --rate-limit N/S         API rate limit: N requests per S seconds
  --help`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const { values, positionals } = parseOptions();
const emulator = positionals[0] ?? 'oauth';
const DEFAULT_PORTS: Record<string, string> = {
  oauth: '4010',
  gumroad: '4011',
  resend: '4012',
  sendgrid: '4013',
  whop: '4014',
  woocommerce: '4015',
  shopify: '4016',
};
if (positionals.length > 1 || DEFAULT_PORTS[emulator] === undefined) {
  fail(
    `unknown emulator ${positionals.join(' ')}: choose oauth, gumroad, resend, sendgrid, whop, woocommerce or shopify`,
  );
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const port = Number(values.port ?? DEFAULT_PORTS[emulator]);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be an integer from 0 to 65535');
if (emulator === 'resend' || emulator === 'sendgrid') await runMailEmulator(emulator, port);
if (emulator === 'whop') await runWhopEmulator(port);
if (emulator === 'woocommerce') await runWooCommerce(port);
if (emulator === 'shopify') await runShopifyEmulator(port);
const ttl = Number(values['access-token-ttl']);
if (!Number.isInteger(ttl) || ttl < 1) fail('--access-token-ttl must be a positive integer');
let rateLimit: { requests: number; windowSeconds: number } | undefined;
if (values['rate-limit'] !== undefined) {
  const match = /^(\d+)\/(\d+)$/.exec(values['rate-limit']);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) fail('--rate-limit must look like 120/60');
  rateLimit = { requests: Number(match[1]), windowSeconds: Number(match[2]) };
}
const client = {
  clientId: values['client-id'],
  clientSecret: values['client-secret'] ?? randomBytes(18).toString('base64url'),
  redirectUris: values['redirect-uri'] ?? [
    'http://127.0.0.1:4400/connect/oauth/callback',
    'http://localhost:4400/connect/oauth/callback',
  ],
};

const sales = Number(values.sales);
if (!Number.isInteger(sales) || sales < 0) fail('--sales must be a whole number');
const sandbox =
  emulator === 'gumroad'
    ? await startGumroadSandbox({ port, clients: [client], sales, ...(rateLimit ? { rateLimit } : {}) })
    : await startOAuthSandbox({
        port,
        clients: [client],
        accessTokenTtlSeconds: ttl,
        rotateRefreshTokens: values.rotate,
        interactive: values.interactive,
        ...(rateLimit ? { rateLimit } : {}),
      });

process.stdout.write(
  [
    `${emulator === 'gumroad' ? 'Gumroad emulator' : 'OAuth sandbox'} listening at ${sandbox.url}`,
    `  authorize      ${sandbox.endpoints.authorize}`,
    `  token          ${sandbox.endpoints.token}`,
    `  revoke         ${sandbox.endpoints.revoke}`,
    `  api            ${sandbox.endpoints.api} (${emulator === 'gumroad' ? 'user, products, sales' : 'me, items, echo'})`,
    `  client id      ${client.clientId}`,
    `  client secret  ${client.clientSecret}`,
    `  redirect URIs  ${client.redirectUris.join(', ')}`,
    `Point ${emulator === 'gumroad' ? 'a Gumroad' : 'an'} integration at it with settings.baseUrls = { '*': '${sandbox.url}' }. Ctrl-C stops it.`,
    '',
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}

/** Runs the Shopify emulator (one shop, a few products) until a signal. */
async function runShopifyEmulator(listenPort: number): Promise<never> {
  const shopify = await startShopifySandbox({ port: listenPort, clientId: values['client-id'] });
  for (let index = 1; index <= 5; index += 1) shopify.control.store.addProduct({ title: `Product ${index}` });
  process.stdout.write(
    [
      `Shopify emulator listening at ${shopify.url} for ${shopify.shop}`,
      `  client id      ${shopify.clientId}`,
      `  client secret  ${shopify.clientSecret}`,
      `Point a shopify integration at it with settings.baseUrls = { 'https://\${shop}': '${shopify.url}/shops/\${shop}' } and connect with shop=${shopify.shop}. Ctrl-C stops it.`,
      '',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void shopify.close().then(() => process.exit(0));
    });
  }
  return new Promise<never>(() => {});
}

/** Runs the Resend or SendGrid emulator until a signal (they take an API key, not OAuth clients). */
async function runMailEmulator(name: 'resend' | 'sendgrid', listenPort: number): Promise<never> {
  const mail =
    name === 'resend'
      ? await startResendSandbox({ port: listenPort })
      : await startSendGridSandbox({ port: listenPort });
  const origin = name === 'resend' ? 'https://api.resend.com' : 'https://api.sendgrid.com';
  process.stdout.write(
    [
      `${name === 'resend' ? 'Resend' : 'SendGrid'} emulator listening at ${mail.url}`,
      `  API key        ${mail.apiKey}`,
      `Point a ${name} integration at it with settings.baseUrls = { '${origin}': '${mail.url}' } and connect with the key. Ctrl-C stops it.`,
      '',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void mail.close().then(() => process.exit(0));
    });
  }
  return new Promise<never>(() => {});
}

/** Runs the Whop emulator (a seeded company and its API key) until a signal. */
async function runWhopEmulator(listenPort: number): Promise<never> {
  const whop = await startWhopSandbox({ port: listenPort });
  process.stdout.write(
    [
      `Whop emulator listening at ${whop.url}`,
      `  API key        ${whop.apiKey}`,
      `  Company ID     ${whop.companyId}`,
      `Point a whop integration at it with settings.baseUrls = { 'https://api.whop.com': '${whop.origin}' } and connect with the key and company id. Ctrl-C stops it.`,
      '',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void whop.close().then(() => process.exit(0));
    });
  }
  return new Promise<never>(() => {});
}

/** Runs the WooCommerce store emulator until a signal; connect with its store URL, key and secret. */
async function runWooCommerce(listenPort: number): Promise<never> {
  const store = await startWooCommerceSandbox({
    port: listenPort,
    seed: { products: 25, orders: 10, customers: 5 },
  });
  process.stdout.write(
    [
      `WooCommerce emulator listening at ${store.url} (REST API at ${store.url}/wp-json/wc/v3)`,
      `  consumer key     ${store.consumerKey}`,
      `  consumer secret  ${store.consumerSecret}`,
      'Connect a woocommerce integration with this store URL (plain http: requests are OAuth 1.0a signed). Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void store.close().then(() => process.exit(0));
    });
  }
  return new Promise<never>(() => {});
}

function parseOptions() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        sales: { type: 'string', default: '100' },
        'client-id': { type: 'string', default: 'sandbox-client' },
        'client-secret': { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'access-token-ttl': { type: 'string', default: '3600' },
        rotate: { type: 'boolean', default: false },
        interactive: { type: 'boolean', default: false },
        'rate-limit': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}
