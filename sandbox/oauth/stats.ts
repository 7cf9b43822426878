/**
 * What the OAuth sandbox received, for tests to assert on: counters per endpoint and the time of
 * every API request it accepted (answered past authentication and rate limiting).
 */

export interface TokenRequestCounts {
  /** Every request to the token endpoint, whatever its outcome. */
  total: number;
  authorization_code: number;
  refresh_token: number;
  client_credentials: number;
  /** Missing or unsupported grant_type. */
  other: number;
}

export interface ApiRequestCounts {
  /** Every request under the API prefix. */
  total: number;
  /** Past authentication and the rate limit (the ones in `acceptedApiRequests`). */
  accepted: number;
  /** Answered 401. */
  unauthorized: number;
  /** Accepted requests by path. */
  byPath: Record<string, number>;
}

export interface AcceptedApiRequest {
  /** Sandbox clock time, epoch ms. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** The grant of the bearer token, or null for an endpoint that needs none. */
  readonly grantId: string | null;
}

export class OAuthSandboxStats {
  /** Authorization requests received (GET of the authorization endpoint). */
  authorize = 0;
  readonly token: TokenRequestCounts = emptyTokenCounts();
  /** Token endpoint answers other than 200, injected failures included. */
  tokenErrors = 0;
  /** Revocation requests received. */
  revoke = 0;
  readonly api: ApiRequestCounts = { total: 0, accepted: 0, unauthorized: 0, byPath: {} };
  /** Every 429 the server sent: API rate limit and injected token or API failures. */
  tooManyRequests = 0;
  /** Failures injected through `control.failTokenRequests` / `control.failApiRequests`. */
  injectedFailures = 0;
  readonly acceptedApiRequests: AcceptedApiRequest[] = [];

  recordAccepted(request: AcceptedApiRequest): void {
    this.api.accepted++;
    this.api.byPath[request.path] = (this.api.byPath[request.path] ?? 0) + 1;
    this.acceptedApiRequests.push(request);
  }

  /**
   * The largest number of accepted API requests within any sliding window of `windowMs`
   * (requests at a and b share a window when |b - a| < windowMs), optionally only those that
   * match `filter` (e.g. one grant).
   */
  maxInAnyWindow(windowMs: number, filter?: (request: AcceptedApiRequest) => boolean): number {
    const times = this.acceptedApiRequests
      .filter((request) => !filter || filter(request))
      .map((request) => request.at)
      .sort((a, b) => a - b);
    let max = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
      max = Math.max(max, end - start + 1);
    }
    return max;
  }

  /** Zeroes every counter in place (references to `token` and `api` stay valid). */
  reset(): void {
    this.authorize = 0;
    Object.assign(this.token, emptyTokenCounts());
    this.tokenErrors = 0;
    this.revoke = 0;
    this.api.total = 0;
    this.api.accepted = 0;
    this.api.unauthorized = 0;
    for (const path of Object.keys(this.api.byPath)) delete this.api.byPath[path];
    this.tooManyRequests = 0;
    this.injectedFailures = 0;
    this.acceptedApiRequests.length = 0;
  }
}

function emptyTokenCounts(): TokenRequestCounts {
  return { total: 0, authorization_code: 0, refresh_token: 0, client_credentials: 0, other: 0 };
}
