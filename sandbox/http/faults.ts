/**
 * Faults a test arms on an emulator at runtime: the next N API requests answer 429 (with the
 * provider's rate-limit headers, which each emulator adds) or 500 instead of their resource, or
 * are processed and then answered late (past a client's timeout: the answer is lost, the effect
 * is not) or with a body cut in the middle.
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
  #delayed = 0;
  #delayMs = 0;
  #delayedRoute: string | null = null;
  #truncated = 0;
  #truncatedRoute: string | null = null;

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

  /** The next `count` API requests (of `route` only, when given) are processed, then answered after `ms`. */
  delay(count: number, ms: number, route: string | null = null): void {
    if (!(ms >= 0)) throw new Error('a delay must be a non-negative number of ms');
    this.#delayed = checkCount(count);
    this.#delayMs = ms;
    this.#delayedRoute = route;
  }

  /** The next `count` API requests (of `route` only, when given) are processed and answered with half a body. */
  truncate(count: number, route: string | null = null): void {
    this.#truncated = checkCount(count);
    this.#truncatedRoute = route;
  }

  /** Disarms every fault. */
  clear(): void {
    this.#tooMany = 0;
    this.#serverErrors = 0;
    this.#delayed = 0;
    this.#truncated = 0;
  }

  /** How the answer to a processed request of `route` goes out: late, cut, or as it is. */
  takeAnswerFault(route: string): { delayMs: number; truncate: boolean } {
    let delayMs = 0;
    let truncate = false;
    if (this.#delayed > 0 && (this.#delayedRoute === null || this.#delayedRoute === route)) {
      this.#delayed -= 1;
      delayMs = this.#delayMs;
    }
    if (this.#truncated > 0 && (this.#truncatedRoute === null || this.#truncatedRoute === route)) {
      this.#truncated -= 1;
      truncate = true;
    }
    return { delayMs, truncate };
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

/**
 * Sends `payload` as `status` the way `fault` says: after its delay, and cut in the middle (the
 * connection closes short of the announced Content-Length) when it truncates. A client that gave
 * up meanwhile finds the socket gone; nothing is written then.
 */
export async function answerWithFault(
  res: import('node:http').ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  payload: string,
  fault: { delayMs: number; truncate: boolean },
): Promise<void> {
  if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (res.destroyed) return;
  const bytes = Buffer.from(payload, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Length': bytes.length });
  if (!fault.truncate) {
    res.end(bytes);
    return;
  }
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
  res.destroy();
}
