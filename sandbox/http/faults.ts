/**
 * Faults a test arms on an emulator at runtime: the next N API requests answer 429 (with the
 * provider's rate-limit headers, which each emulator adds) or 500 instead of their resource.
 * Each armed fault is used up by one request; arming a kind again replaces what was left of it.
 */

/** What an armed fault makes a request answer. */
export type ArmedFault = { status: 429; retryAfterSeconds: number } | { status: 500 };

export class ArmedFaults {
  #tooMany = 0;
  #retryAfterSeconds = 1;
  #serverErrors = 0;

  /** The next `count` API requests answer 429, asking to wait `retryAfterSeconds` (default 1). */
  tooManyRequests(count: number, retryAfterSeconds = 1): void {
    this.#tooMany = checkCount(count);
    this.#retryAfterSeconds = retryAfterSeconds;
  }

  /** The next `count` API requests answer 500. */
  serverErrors(count: number): void {
    this.#serverErrors = checkCount(count);
  }

  /** Disarms every fault. */
  clear(): void {
    this.#tooMany = 0;
    this.#serverErrors = 0;
  }

  /** The fault this request answers with, using it up; null when none is armed. */
  take(): ArmedFault | null {
    if (this.#tooMany > 0) {
      this.#tooMany -= 1;
      return { status: 429, retryAfterSeconds: this.#retryAfterSeconds };
    }
    if (this.#serverErrors > 0) {
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
