/**
 * What the Messenger emulator received, answered and delivered, for tests and benchmarks.
 */
export class MessengerSandboxStats {
  /** Every Graph request (login dialog excluded), whatever its answer. */
  requests = 0;
  /** Graph requests by route: `GET /oauth/access_token`, `POST /{page-id}/messages`… */
  readonly byRoute: Record<string, number> = {};
  /** Graph errors sent, by `code` or `code/subcode` (`10/2018278`). */
  readonly errors: Record<string, number> = {};
  /** Login dialogs answered (approved or denied). */
  dialogs = 0;
  /** Messages the Send API accepted. */
  messagesSent = 0;
  /** Faults used up, by kind. */
  readonly injected = { serverErrors: 0, rateLimited: 0, delayed: 0 };
  readonly webhooks = {
    /** Hub challenges sent, and those answered correctly. */
    challenges: 0,
    verified: 0,
    /** Delivery attempts, and those answered 200. */
    attempts: 0,
    delivered: 0,
    /** Events with no verified subscription for their field: Meta does not keep them. */
    dropped: 0,
  };

  recordError(code: number, subcode: number | undefined): void {
    const key = subcode === undefined ? String(code) : `${code}/${subcode}`;
    this.errors[key] = (this.errors[key] ?? 0) + 1;
  }

  recordRoute(route: string): void {
    this.requests++;
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
  }
}
