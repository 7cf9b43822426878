/**
 * `node sandbox/cli.ts [--port N]`: runs the generic OAuth sandbox with one demo client until
 * SIGINT or SIGTERM, printing what a definition or an integration needs to use it.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startOAuthSandbox } from './oauth/server.ts';

const USAGE = `usage: node sandbox/cli.ts [options]
  --port N                 port on 127.0.0.1 (default 4010; 0 picks a free one)
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

const values = parseOptions();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be an integer from 0 to 65535');
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

const sandbox = await startOAuthSandbox({
  port,
  clients: [client],
  accessTokenTtlSeconds: ttl,
  rotateRefreshTokens: values.rotate,
  interactive: values.interactive,
  ...(rateLimit ? { rateLimit } : {}),
});

process.stdout.write(
  [
    `OAuth sandbox listening at ${sandbox.url}`,
    `  authorize      ${sandbox.endpoints.authorize}`,
    `  token          ${sandbox.endpoints.token}`,
    `  revoke         ${sandbox.endpoints.revoke}`,
    `  api            ${sandbox.endpoints.api} (me, items, echo)`,
    `  client id      ${client.clientId}`,
    `  client secret  ${client.clientSecret}`,
    `  redirect URIs  ${client.redirectUris.join(', ')}`,
    `Point an integration at it with settings.baseUrls = { '*': '${sandbox.url}' }. Ctrl-C stops it.`,
    '',
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}

function parseOptions() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '4010' },
        'client-id': { type: 'string', default: 'sandbox-client' },
        'client-secret': { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'access-token-ttl': { type: 'string', default: '3600' },
        rotate: { type: 'boolean', default: false },
        interactive: { type: 'boolean', default: false },
        'rate-limit': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}
