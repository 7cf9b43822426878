/**
 * Faults of the Gumroad emulator's API, armed at runtime by tests: bursts of 429s or 500s, slow
 * answers (longer than a client's timeout), and list bodies cut off mid-array. Each armed fault
 * is used up by one request; arming a kind again replaces what was left of it.
 */

export interface GumroadFaultControl {
  /** The next `count` API requests answer 429 with `Retry-After: retryAfterSeconds` (default 1). */
  tooManyRequests(count: number, retryAfterSeconds?: number): void;
  /** The next `count` API requests answer 500. */
  serverErrors(count: number): void;
  /** The next `count` API requests wait `ms` before answering (a timeout test sets more than its timeout). */
  delay(count: number, ms: number): void;
  /**
   * The next `count` list requests (/v2/sales, /v2/products) answer 200 with valid headers and a
   * body cut in the middle of its array.
   */
  truncate(count: number): void;
  /** Disarms every fault and releases delayed requests at once. */
  clear(): void;
  /** Faults armed and not yet used. */
  readonly pending: { tooManyRequests: number; serverErrors: number; delayed: number; truncated: number };
}

/** An injected failure a request answers with instead of its resource. */
export type FailureKind =
  | { kind: 'status'; status: 429; retryAfterSeconds: number }
  | { kind: 'status'; status: 500 };

/** The armed faults of one emulator; `control.faults` is this object. */
export class GumroadFaults implements GumroadFaultControl {
  readonly pending = { tooManyRequests: 0, serverErrors: 0, delayed: 0, truncated: 0 };
  #retryAfterSeconds = 1;
  #delayMs = 0;
  readonly #waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  tooManyRequests(count: number, retryAfterSeconds = 1): void {
    this.pending.tooManyRequests = checkCount(count);
    this.#retryAfterSeconds = retryAfterSeconds;
  }

  serverErrors(count: number): void {
    this.pending.serverErrors = checkCount(count);
  }

  delay(count: number, ms: number): void {
    if (!(ms >= 0)) throw new Error('delay ms must be a non-negative number');
    this.pending.delayed = checkCount(count);
    this.#delayMs = ms;
  }

  truncate(count: number): void {
    this.pending.truncated = checkCount(count);
  }

  clear(): void {
    this.pending.tooManyRequests = 0;
    this.pending.serverErrors = 0;
    this.pending.delayed = 0;
    this.pending.truncated = 0;
    for (const wait of this.#waits) {
      clearTimeout(wait.timer);
      wait.resolve();
    }
    this.#waits.clear();
  }

  /** Takes an armed failure for this request, if any: 429s first, then 500s. */
  takeFailure(): FailureKind | undefined {
    if (this.pending.tooManyRequests > 0) {
      this.pending.tooManyRequests--;
      return { kind: 'status', status: 429, retryAfterSeconds: this.#retryAfterSeconds };
    }
    if (this.pending.serverErrors > 0) {
      this.pending.serverErrors--;
      return { kind: 'status', status: 500 };
    }
    return undefined;
  }

  /** Waits the armed delay if one is left; true when this request was delayed. */
  async takeDelay(): Promise<boolean> {
    if (this.pending.delayed <= 0) return false;
    this.pending.delayed--;
    const ms = this.#delayMs;
    await new Promise<void>((resolve) => {
      const wait = {
        resolve,
        timer: setTimeout(() => {
          this.#waits.delete(wait);
          resolve();
        }, ms),
      };
      this.#waits.add(wait);
    });
    return true;
  }

  /** True when this list response is to be cut off. */
  takeTruncation(): boolean {
    if (this.pending.truncated <= 0) return false;
    this.pending.truncated--;
    return true;
  }
}

function checkCount(count: number): number {
  if (!(Number.isSafeInteger(count) && count >= 0)) throw new Error('count must be a non-negative integer');
  return count;
}
