/** What the Stripe emulator received and answered, for tests and benchmarks to assert on. */

export class StripeSandboxStats {
  /** Every API request (under /v1/), whatever its answer. */
  requests = 0;
  /** Requests by route (`GET /v1/customers/:id`), or by path when no route matched. */
  readonly byPath: Record<string, number> = {};
  /** Answers by HTTP status. */
  readonly byStatus: Record<number, number> = {};
  /** 429s: from the rate limit (`planned`) and armed with `control.tooManyRequests` (`injected`). */
  readonly tooManyRequests = { planned: 0, injected: 0 };
  /** 5xx armed with `control.serverErrors`. */
  serverErrors = 0;
  /** Answers replayed for a repeated idempotency key. */
  idempotentReplays = 0;
  /** Connect OAuth calls by endpoint. */
  readonly oauth = { authorize: 0, token: 0, deauthorize: 0 };
  /** Webhook delivery attempts and their outcomes. */
  readonly webhooks = { attempts: 0, delivered: 0, failed: 0 };

  count(route: string, status: number): void {
    this.byPath[route] = (this.byPath[route] ?? 0) + 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
  }

  /** Zeroes every counter in place. */
  reset(): void {
    this.requests = 0;
    for (const key of Object.keys(this.byPath)) delete this.byPath[key];
    for (const key of Object.keys(this.byStatus)) delete this.byStatus[Number(key)];
    this.tooManyRequests.planned = 0;
    this.tooManyRequests.injected = 0;
    this.serverErrors = 0;
    this.idempotentReplays = 0;
    this.oauth.authorize = 0;
    this.oauth.token = 0;
    this.oauth.deauthorize = 0;
    this.webhooks.attempts = 0;
    this.webhooks.delivered = 0;
    this.webhooks.failed = 0;
  }
}
