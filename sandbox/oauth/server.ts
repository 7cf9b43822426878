/**
 * A generic OAuth 2.0 provider on loopback: authorization server (code + PKCE, refresh with
 * optional rotation, client credentials, revocation) and a small protected API, with failures,
 * delays and rate limits on demand and counters of everything it received.
 *
 * @example
 * const sandbox = await startOAuthSandbox({
 *   clients: [{ clientId: 'app', clientSecret: 's3cret', redirectUris: ['http://127.0.0.1:4400/cb'] }],
 *   rotateRefreshTokens: true,
 * });
 * // point a definition at it: settings.baseUrls = { '*': sandbox.url }
 * await sandbox.close();
 */
import { listen } from '../http/listen.ts';
import { sendJson } from '../http/respond.ts';
import { Router } from '../http/router.ts';
import { createApiHandler } from './api.ts';
import { createAuthorizeHandlers } from './authorize.ts';
import { ClientRegistry, type OAuthSandboxClient } from './clients.ts';
import { DEFAULT_PATHS, type OAuthSandboxContext, type OAuthSandboxPaths } from './context.ts';
import { type FailureOptions, type FailureStatus, Faults } from './faults.ts';
import { type RateLimitOptions, SlidingWindowLimiter } from './rate-limit.ts';
import { OAuthSandboxStats } from './stats.ts';
import { createRevokeHandler, createTokenHandler } from './token-endpoint.ts';
import { type SandboxClock, TokenStore, wallClock } from './tokens.ts';

export interface OAuthSandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  clients?: OAuthSandboxClient[];
  /** Time for every expiry and rate-limit decision (default the system clock). */
  clock?: SandboxClock;
  /** Access token lifetime (default 3600); null issues tokens that never expire (no expires_in). */
  accessTokenTtlSeconds?: number | null;
  /** Default 60. */
  authorizationCodeTtlSeconds?: number;
  /** Issue refresh tokens with authorization codes (default true). */
  issueRefreshTokens?: boolean;
  /** Each refresh returns a new refresh token and invalidates the one used (default false). */
  rotateRefreshTokens?: boolean;
  /** Using a rotated-away refresh token revokes the whole grant (reuse detection; default false). */
  revokeGrantOnRefreshTokenReuse?: boolean;
  /** Refuse authorization requests without a code_challenge (default false). */
  requirePkce?: boolean;
  /** Scopes clients may ask for; omitted accepts any. */
  scopes?: string[];
  /** Scope granted when a request names none (default none). */
  defaultScopes?: string[];
  /** Separator of the scope parameter (default a space; some providers use a comma). */
  scopeSeparator?: string;
  /** The end user every authorization is for (default `sandbox-user`; `login_hint` overrides). */
  subject?: string;
  /** Show a consent page with Approve and Deny buttons instead of approving at once. */
  interactive?: boolean;
  /** The API's rate limit; none by default. */
  rateLimit?: RateLimitOptions;
  /** Size of the `/api/items` collection (default 250). */
  itemCount?: number;
  /** Endpoint paths, for emulating a provider's own layout. */
  paths?: Partial<OAuthSandboxPaths>;
  /**
   * Extra routes, e.g. a provider emulator's resources, mounted on the same server. They get the
   * sandbox's context (tokens, stats, clock) and can check bearer tokens with `authenticateBearer`.
   */
  routes?: (router: Router, context: OAuthSandboxContext) => void;
}

/** Misbehaviour and state changes on demand. */
export interface OAuthSandboxControl {
  addClient(client: OAuthSandboxClient): void;
  /** The next `count` authorizations (default 1) redirect with `error` (default access_denied). */
  denyNext(count?: number, error?: string): void;
  /** The next `count` token requests answer `status` (or drop the connection for `reset`). */
  failTokenRequests(count: number, status: FailureStatus, options?: FailureOptions): void;
  /** The next `count` API requests answer `status` (or drop the connection for `reset`). */
  failApiRequests(count: number, status: FailureStatus, options?: FailureOptions): void;
  /** Every token response waits `ms` first (0 turns it off). */
  delayTokenResponses(ms: number): void;
  /** Revokes every grant: every access and refresh token issued so far stops working. */
  revokeAll(): void;
  /** Every access token issued so far is expired from now on. */
  expireAccessTokens(): void;
  /** Lifetime of access tokens issued from now on; null: they never expire. */
  setAccessTokenTtl(seconds: number | null): void;
  /** Replaces the API rate limit; null removes it. Counting starts afresh. */
  setRateLimit(limit: RateLimitOptions | null): void;
}

export interface OAuthSandbox {
  /** Base URL (`http://127.0.0.1:<port>`, no trailing slash): what a base-URL override points at. */
  readonly url: string;
  /** Same as `url`; the origin of every endpoint. */
  readonly origin: string;
  /** Full URLs of the endpoints. */
  readonly endpoints: {
    authorize: string;
    token: string;
    revoke: string;
    metadata: string;
    api: string;
  };
  readonly stats: OAuthSandboxStats;
  readonly control: OAuthSandboxControl;
  close(): Promise<void>;
}

export async function startOAuthSandbox(options: OAuthSandboxOptions = {}): Promise<OAuthSandbox> {
  const clock = options.clock ?? wallClock;
  const paths: OAuthSandboxPaths = { ...DEFAULT_PATHS, ...options.paths };
  if (!paths.api.endsWith('/')) paths.api += '/';
  const ctx: OAuthSandboxContext = {
    settings: {
      interactive: options.interactive ?? false,
      requirePkce: options.requirePkce ?? false,
      issueRefreshTokens: options.issueRefreshTokens ?? true,
      rotateRefreshTokens: options.rotateRefreshTokens ?? false,
      revokeGrantOnRefreshTokenReuse: options.revokeGrantOnRefreshTokenReuse ?? false,
      supportedScopes: options.scopes,
      defaultScopes: options.defaultScopes ?? [],
      scopeSeparator: options.scopeSeparator ?? ' ',
      subject: options.subject ?? 'sandbox-user',
      itemCount: options.itemCount ?? 250,
      paths,
    },
    clock,
    clients: new ClientRegistry(options.clients),
    tokens: new TokenStore(clock, {
      accessTokenTtlSeconds:
        options.accessTokenTtlSeconds === undefined ? 3600 : options.accessTokenTtlSeconds,
      authorizationCodeTtlSeconds: options.authorizationCodeTtlSeconds ?? 60,
    }),
    stats: new OAuthSandboxStats(),
    faults: new Faults(),
    limiter: options.rateLimit ? new SlidingWindowLimiter(options.rateLimit, clock) : undefined,
  };

  const router = new Router();
  const { authorize, decision } = createAuthorizeHandlers(ctx);
  router.on('GET', paths.authorize, authorize);
  router.on('POST', paths.decision, decision);
  router.on('POST', paths.token, createTokenHandler(ctx));
  router.on('POST', paths.revoke, createRevokeHandler(ctx));
  router.prefix(paths.api, createApiHandler(ctx));
  options.routes?.(router, ctx);

  const listening = await listen(router.handle, {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  const origin = listening.origin;
  const endpoints = {
    authorize: origin + paths.authorize,
    token: origin + paths.token,
    revoke: origin + paths.revoke,
    metadata: origin + paths.metadata,
    api: origin + paths.api,
  };
  router.on('GET', paths.metadata, (_req, res) => sendJson(res, 200, metadata(origin, endpoints, options)));

  const control: OAuthSandboxControl = {
    addClient: (client) => ctx.clients.add(client),
    denyNext: (count = 1, error = 'access_denied') => ctx.faults.denyNext(count, error),
    failTokenRequests: (count, status, failure = {}) => ctx.faults.failToken(count, status, failure),
    failApiRequests: (count, status, failure = {}) => ctx.faults.failApi(count, status, failure),
    delayTokenResponses: (ms) => {
      ctx.faults.tokenDelayMs = ms;
    },
    revokeAll: () => ctx.tokens.revokeAll(),
    expireAccessTokens: () => ctx.tokens.expireAccessTokens(),
    setAccessTokenTtl: (seconds) => {
      ctx.tokens.accessTokenTtlSeconds = seconds;
    },
    setRateLimit: (limit) => {
      ctx.limiter = limit ? new SlidingWindowLimiter(limit, clock) : undefined;
    },
  };

  return {
    url: origin,
    origin,
    endpoints,
    stats: ctx.stats,
    control,
    async close() {
      ctx.faults.clear();
      await listening.close();
    },
  };
}

/** RFC 8414 authorization server metadata. */
function metadata(origin: string, endpoints: OAuthSandbox['endpoints'], options: OAuthSandboxOptions) {
  return {
    issuer: origin,
    authorization_endpoint: endpoints.authorize,
    token_endpoint: endpoints.token,
    revocation_endpoint: endpoints.revoke,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    ...(options.scopes ? { scopes_supported: options.scopes } : {}),
  };
}
