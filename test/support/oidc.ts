/**
 * A real OAuth 2.0 authorization server for end-to-end tests: oidc-provider on 127.0.0.1, with
 * PKCE required, short-lived access tokens, rotating refresh tokens and revocation. Its sign-in
 * page is our own one-button form (the library's development pages load web fonts from the
 * internet, which tests must never reach). It counts the token requests it receives.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface OidcTestServer {
  /** `http://127.0.0.1:<port>`: the issuer, and the origin to point a definition's URLs at. */
  readonly origin: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Token endpoint requests received, by grant type. */
  readonly tokenRequests: { authorization_code: number; refresh_token: number; other: number };
  close(): Promise<void>;
}

export interface OidcTestOptions {
  redirectUris: string[];
  /** Access token lifetime, seconds (default 60). */
  accessTokenTtl?: number;
}

export async function startOidcTestServer(options: OidcTestOptions): Promise<OidcTestServer> {
  const clientId = 'patchbay-test';
  const clientSecret = 'oidc-client-secret-0f3b9c2d7e';
  const tokenRequests = { authorization_code: 0, refresh_token: 0, other: 0 };
  let provider: Provider | undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/interaction/')) {
      void interaction(req, res, url).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    provider?.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  provider = new Provider(origin, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'offline_access'],
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, name: `Test user ${sub}` }),
    }),
    features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: options.accessTokenTtl ?? 60,
      AuthorizationCode: 60,
      Grant: 86_400,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    // Refresh tokens without the offline_access consent dance, rotated on every use.
    issueRefreshToken: () => true,
    rotateRefreshToken: () => true,
    cookies: { keys: ['oidc-test-cookie-key-1f2e3d4c'] },
  });
  // The library logs server errors to the console; tests assert on responses instead.
  provider.on('server_error', () => {});
  // Every token request ends in one of these two events; count them by grant type.
  const countGrant = (ctx: unknown) => {
    const grant = (ctx as { oidc?: { params?: { grant_type?: unknown } } }).oidc?.params?.grant_type;
    if (grant === 'authorization_code' || grant === 'refresh_token') tokenRequests[grant] += 1;
    else tokenRequests.other += 1;
  };
  provider.on('grant.success', countGrant);
  provider.on('grant.error', countGrant);

  async function interaction(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!provider) throw new Error('provider not ready');
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><title>Test sign-in</title><h1>Test authorization server</h1>` +
          `<form method="post" action="/interaction/${details.uid}/approve">` +
          `<label>Account <input name="login" value="user-1"></label>` +
          `<button type="submit" id="approve">Approve</button></form>`,
      );
      return;
    }
    if (req.method === 'POST' && url.pathname.endsWith('/approve')) {
      const body = await readBody(req);
      const accountId = new URLSearchParams(body).get('login') || 'user-1';
      const grant = new provider.Grant({ accountId, clientId });
      const scope = typeof details.params.scope === 'string' ? details.params.scope : 'openid';
      grant.addOIDCScope(scope);
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    res.statusCode = 404;
    res.end();
  }

  return {
    origin,
    clientId,
    clientSecret,
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
