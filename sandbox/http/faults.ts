/**
 * Faults a test arms on an emulator at runtime: the next N API requests answer 429 (with the
 * provider's rate-limit headers, which each emulator adds) or 500 instead of their resource.
 * Each armed fault is used up by one request — of one route only, when it was armed for one
 * (`POST /emails`: a webhook registration running meanwhile must not take it); arming a kind
 * again replaces what was left of it.
 */

/** What an armed fault makes a request answer. */
export type ArmedFault = { status: 429; retryAfterSeconds: number } | { status: 500 };

export class ArmedFaults {
  #tooMany = 0;
  #tooManyRoute: string | null = null;
  #retryAfterSeconds = 1;
  #serverErrors = 0;
  #serverErrorsRoute: string | null = null;

  /** The next `count` API requests (of `route` only, when given) answer 429, asking to wait `retryAfterSeconds`. */
  tooManyRequests(count: number, retryAfterSeconds = 1, route: string | null = null): void {
    this.#tooMany = checkCount(count);
    this.#retryAfterSeconds = retryAfterSeconds;
    this.#tooManyRoute = route;
  }

  /** The next `count` API requests (of `route` only, when given) answer 500. */
  serverErrors(count: number, route: string | null = null): void {
    this.#serverErrors = checkCount(count);
    this.#serverErrorsRoute = route;
  }

  /** Disarms every fault. */
  clear(): void {
    this.#tooMany = 0;
    this.#serverErrors = 0;
  }

  /** The fault a request of `route` (`POST /emails`) answers with, using it up; null when none is armed. */
  take(route: string): ArmedFault | null {
    if (this.#tooMany > 0 && (this.#tooManyRoute === null || this.#tooManyRoute === route)) {
      this.#tooMany -= 1;
      return { status: 429, retryAfterSeconds: this.#retryAfterSeconds };
    }
    if (this.#serverErrors > 0 && (this.#serverErrorsRoute === null || this.#serverErrorsRoute === route)) {
      this.#serverErrors -= 1;
      return { status: 500 };
    }
    return null;
  }
}

function checkCount(count: number): number {
  if (!Number.isInteger(count) || count < 0) throw new Error('a fault count must be a non-negative integer');
  return count;
}
