/**
 * What the Gumroad emulator's API received and answered, for tests and benchmarks to assert on.
 * The OAuth endpoints keep their own counters (`sandbox.oauth.stats`).
 */
/** Counters of one emulator's API, reset with `reset()`. */
export class GumroadSandboxStats {
  /** Every request under /v2/, whatever its answer. */
  requests = 0;
  /** Requests by path (`/v2/sales`), whatever their answer. */
  readonly byPath: Record<string, number> = {};
  /** Answered 200 with a complete body. */
  ok = 0;
  /** Answered 401 (missing, unknown, expired or revoked token). */
  unauthorized = 0;
  /** Answered 403 (token without the scope the endpoint needs). */
  forbidden = 0;
  /** Answered 400 (bad parameters). */
  badRequests = 0;
  /** 429s from the rate limit (not injected ones). */
  rateLimited = 0;
  /** Faults used up, by kind. */
  readonly injected = { tooManyRequests: 0, serverErrors: 0, delayed: 0, truncated: 0 };
  /** Sale objects sent in complete 200 answers. */
  salesServed = 0;
  /** Complete pages of /v2/sales sent. */
  salesPages = 0;
  /** License keys verified (POST /v2/licenses/verify answered 200). */
  licenseVerifications = 0;

  /** Zeroes every counter in place. */
  reset(): void {
    this.requests = 0;
    for (const path of Object.keys(this.byPath)) delete this.byPath[path];
    this.ok = 0;
    this.unauthorized = 0;
    this.forbidden = 0;
    this.badRequests = 0;
    this.rateLimited = 0;
    this.injected.tooManyRequests = 0;
    this.injected.serverErrors = 0;
    this.injected.delayed = 0;
    this.injected.truncated = 0;
    this.salesServed = 0;
    this.salesPages = 0;
    this.licenseVerifications = 0;
  }
}
