/**
 * Reading a token endpoint's answer by the definition's `tokenResponse` paths.
 *
 * Error answers (any status but 200) go through oauth4webapi, which reads RFC 6749 §5.2 error
 * bodies and WWW-Authenticate challenges. Success answers are checked by oauth4webapi's strict
 * processor when they claim to be spec-shaped (default paths, a `bearer` token_type, no id_token);
 * the others are read by hand, because real providers that strict processing rejects are in the
 * catalog:
 * - Shopify answers `{ access_token, scope }` with no `token_type` (RFC 6749 §5.1 requires it);
 * - Slack answers `token_type: "bot"` and reports errors as HTTP 200 with `ok: false` (okPath);
 * - Square sends an absolute ISO-8601 `expires_at` instead of `expires_in`;
 * - Gumroad sends `expires_in: null`;
 * - an `id_token` (OpenID Connect) would be validated against an issuer the definitions do not
 *   name: Patchbay uses tokens for API access, never as identity, so it ignores id tokens.
 */
import * as oauth from 'oauth4webapi';
import type { Clock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import { isObject, valueAt } from '../values/path.ts';
import { parseRetryAfter } from '../values/retry-after.ts';
import { safeErrorCode } from './values.ts';

export interface TokenResponseSpec {
  accessTokenPath: string;
  refreshTokenPath: string;
  expiresInPath: string;
  expiresAtPath?: string | undefined;
  scopePath: string;
  okPath?: string | undefined;
}

/** The client-credentials mode has no tokenResponse block: it reads the RFC 6749 fields. */
export const STANDARD_TOKEN_RESPONSE: TokenResponseSpec = {
  accessTokenPath: 'access_token',
  refreshTokenPath: 'refresh_token',
  expiresInPath: 'expires_in',
  scopePath: 'scope',
};

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: number;
  tokenType?: string;
  scope?: string;
  /** The whole JSON body, for metadata fields. Holds secrets: never log it. */
  body: Record<string, unknown>;
}

/**
 * Why a token request did not produce tokens. `refused`: the provider answered with an error
 * (its OAuth `error` code when it sent one); `unreachable`: network error, 5xx or 429;
 * `invalid_response`: a success status with a body that holds no usable token.
 */
export class TokenEndpointError extends Error {
  readonly kind: 'refused' | 'unreachable' | 'invalid_response';
  readonly status: number | null;
  readonly error: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(
    kind: TokenEndpointError['kind'],
    message: string,
    fields: {
      status: number | null;
      error?: string | undefined;
      retryAfterMs?: number | undefined;
      cause?: unknown;
    },
  ) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'TokenEndpointError';
    this.kind = kind;
    this.status = fields.status;
    this.error = fields.error;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** Sends a token request, turning a transport failure into an `unreachable` TokenEndpointError. */
export async function send(request: () => Promise<Response>): Promise<Response> {
  try {
    return await request();
  } catch (cause) {
    // oauth4webapi's own checks (an http URL off loopback, a bad argument) are configuration
    // faults and stay as they are; everything else is the transport failing.
    // The SSRF guard's refusal (`ssrf_blocked`) is a PatchbayError and keeps its code.
    if (
      cause instanceof PatchbayError ||
      cause instanceof oauth.OperationProcessingError ||
      isArgumentError(cause)
    ) {
      throw cause;
    }
    throw new TokenEndpointError('unreachable', 'the token endpoint could not be reached', {
      status: null,
      cause,
    });
  }
}

function isArgumentError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_INVALID_ARG');
}

/** Reads a token endpoint response; throws TokenEndpointError when it holds no tokens. */
export async function readTokenResponse(
  ctx: { as: oauth.AuthorizationServer; client: oauth.Client },
  response: Response,
  spec: TokenResponseSpec,
  clock: Clock,
  tokenExpiresInDefault?: number,
): Promise<TokenSet> {
  if (response.status !== 200) await throwForStatus(ctx, response, clock);
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    // No cause attached: a JSON parse error quotes the start of the body, which may be a token.
    throw new TokenEndpointError(
      'invalid_response',
      'the token endpoint answered with a body that is not JSON',
      {
        status: response.status,
      },
    );
  }
  if (!isObject(body)) {
    throw new TokenEndpointError(
      'invalid_response',
      'the token endpoint answered with a body that is not an object',
      {
        status: response.status,
      },
    );
  }
  if (spec.okPath !== undefined && valueAt(body, spec.okPath) !== true) {
    // Slack-style: HTTP 200 carrying `{ ok: false, error: "invalid_code" }`.
    throw new TokenEndpointError('refused', 'the token endpoint refused the request', {
      status: response.status,
      error: safeErrorCode(body.error) ?? 'provider_error',
    });
  }
  if (isSpecShaped(spec, body)) {
    try {
      await oauth.processGenericTokenEndpointResponse(ctx.as, ctx.client, response);
    } catch (cause) {
      // Not attached as the cause: oauth4webapi's processing errors carry the body, tokens included.
      const reason = cause instanceof Error ? cause.message : 'unreadable';
      throw new TokenEndpointError(
        'invalid_response',
        `the token endpoint answered with a malformed token response: ${reason}`,
        {
          status: response.status,
        },
      );
    }
  } else {
    await response.body?.cancel();
  }
  return tokenSet(body, spec, clock, tokenExpiresInDefault, response.status);
}

/** Whether a 200 body claims to follow RFC 6749 §5.1, so oauth4webapi's strict checks apply. */
function isSpecShaped(spec: TokenResponseSpec, body: Record<string, unknown>): boolean {
  const defaults =
    spec.accessTokenPath === 'access_token' &&
    spec.refreshTokenPath === 'refresh_token' &&
    spec.expiresInPath === 'expires_in' &&
    spec.scopePath === 'scope' &&
    spec.okPath === undefined &&
    spec.expiresAtPath === undefined;
  return (
    defaults &&
    typeof body.token_type === 'string' &&
    body.token_type.toLowerCase() === 'bearer' &&
    body.id_token === undefined &&
    body.expires_in !== null &&
    body.refresh_token !== null
  );
}

function tokenSet(
  body: Record<string, unknown>,
  spec: TokenResponseSpec,
  clock: Clock,
  tokenExpiresInDefault: number | undefined,
  status: number,
): TokenSet {
  const accessToken = valueAt(body, spec.accessTokenPath);
  const oauthError = safeErrorCode(body.error);
  if ((typeof accessToken !== 'string' || accessToken === '') && oauthError !== undefined) {
    // GitHub-style: an OAuth error in a 200 body is a refusal like any other.
    throw new TokenEndpointError('refused', `the token endpoint refused the request (${oauthError})`, {
      status,
      error: oauthError,
    });
  }
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new TokenEndpointError(
      'invalid_response',
      `the token response has no access token at "${spec.accessTokenPath}"`,
      { status },
    );
  }
  const set: TokenSet = { accessToken, body };
  const refreshToken = valueAt(body, spec.refreshTokenPath);
  if (typeof refreshToken === 'string' && refreshToken !== '') set.refreshToken = refreshToken;
  const expiresAt = expiry(body, spec, clock, tokenExpiresInDefault);
  if (expiresAt !== undefined) set.expiresAt = expiresAt;
  const tokenType = body.token_type;
  if (typeof tokenType === 'string' && tokenType !== '') set.tokenType = tokenType;
  const scope = valueAt(body, spec.scopePath);
  if (typeof scope === 'string' && scope !== '') set.scope = scope;
  else if (Array.isArray(scope) && scope.every((s) => typeof s === 'string')) set.scope = scope.join(' ');
  return set;
}

/** expires_in → now + s; else the absolute expiresAtPath; else the definition's default; else none. */
function expiry(
  body: Record<string, unknown>,
  spec: TokenResponseSpec,
  clock: Clock,
  tokenExpiresInDefault: number | undefined,
): number | undefined {
  const raw = valueAt(body, spec.expiresInPath);
  const seconds =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (Number.isFinite(seconds) && seconds > 0) return clock.now() + seconds * 1000;
  if (spec.expiresAtPath !== undefined) {
    const at = valueAt(body, spec.expiresAtPath);
    if (typeof at === 'string') {
      const parsed = Date.parse(at);
      if (!Number.isNaN(parsed)) return parsed;
    }
    // A number is epoch seconds, as providers that send one use it.
    if (typeof at === 'number' && Number.isFinite(at) && at > 0) return at * 1000;
  }
  if (tokenExpiresInDefault !== undefined) return clock.now() + tokenExpiresInDefault * 1000;
  return undefined;
}

async function throwForStatus(
  ctx: { as: oauth.AuthorizationServer; client: oauth.Client },
  response: Response,
  clock: Clock,
): Promise<never> {
  const status = response.status;
  if (status === 429 || status >= 500) {
    await response.body?.cancel();
    throw new TokenEndpointError('unreachable', `the token endpoint answered ${status}`, {
      status,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), clock.now()),
    });
  }
  if (status < 400) {
    await response.body?.cancel();
    throw new TokenEndpointError('invalid_response', `the token endpoint answered ${status}`, { status });
  }
  try {
    // Throws for every non-200 answer; what it throws says what the provider meant.
    await oauth.processGenericTokenEndpointResponse(ctx.as, ctx.client, response);
  } catch (cause) {
    let error: string | undefined;
    if (cause instanceof oauth.ResponseBodyError) error = safeErrorCode(cause.error);
    else if (cause instanceof oauth.WWWAuthenticateChallengeError) {
      error = safeErrorCode(cause.cause.find((c) => c.parameters.error)?.parameters.error);
    }
    await response.body?.cancel().catch(() => {});
    throw new TokenEndpointError(
      'refused',
      `the token endpoint refused the request (${status}${error ? ` ${error}` : ''})`,
      {
        status,
        error,
        cause,
      },
    );
  }
  throw new TokenEndpointError('invalid_response', `the token endpoint answered ${status}`, { status });
}
