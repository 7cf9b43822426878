/**
 * Failures of the API on demand: 429s and 5xx before the request reaches its endpoint (so they
 * are not saved under an idempotency key and a retry can succeed, like a load balancer's answer),
 * and a pause that holds the next request after it has claimed its idempotency key, so a test can
 * send a concurrent retry and see Stripe's 409 without timing anything.
 */

export type InjectedFailure = { status: 429 } | { status: 500 | 502 | 503 };

export interface Pause {
  /** Resolves when the paused request has claimed its key and is waiting. */
  readonly reached: Promise<void>;
  /** Lets the paused request go on. */
  release(): void;
}

interface ArmedPause {
  reached: () => void;
  released: Promise<void>;
  release: () => void;
}

export class StripeFaults {
  #tooManyRequests = 0;
  #serverErrors = 0;
  #serverStatus: 500 | 502 | 503 = 500;
  readonly #pauses: ArmedPause[] = [];
  readonly #waiting = new Set<() => void>();

  /** The next `count` API requests answer 429 `rate_limit`. */
  tooManyRequests(count: number): void {
    this.#tooManyRequests = checkCount(count);
  }

  /** The next `count` API requests answer `status` (500 by default) with an `api_error`. */
  serverErrors(count: number, status: 500 | 502 | 503 = 500): void {
    this.#serverErrors = checkCount(count);
    this.#serverStatus = status;
  }

  /** Holds the next request that reaches its endpoint until `release()`. */
  pauseNext(): Pause {
    let reached!: () => void;
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#pauses.push({ reached, released, release });
    return { reached: reachedPromise, release };
  }

  get pending(): { tooManyRequests: number; serverErrors: number; pauses: number } {
    return {
      tooManyRequests: this.#tooManyRequests,
      serverErrors: this.#serverErrors,
      pauses: this.#pauses.length,
    };
  }

  takeFailure(): InjectedFailure | undefined {
    if (this.#tooManyRequests > 0) {
      this.#tooManyRequests--;
      return { status: 429 };
    }
    if (this.#serverErrors > 0) {
      this.#serverErrors--;
      return { status: this.#serverStatus };
    }
    return undefined;
  }

  /** Waits if a pause is armed (it is used up by this request). */
  async takePause(): Promise<void> {
    const pause = this.#pauses.shift();
    if (!pause) return;
    this.#waiting.add(pause.release);
    pause.reached();
    await pause.released;
    this.#waiting.delete(pause.release);
  }

  /** Disarms everything and lets paused requests go (on close). */
  clear(): void {
    this.#tooManyRequests = 0;
    this.#serverErrors = 0;
    for (const pause of this.#pauses.splice(0)) pause.release();
    for (const release of this.#waiting) release();
  }
}

function checkCount(count: number): number {
  if (!(Number.isSafeInteger(count) && count >= 0)) throw new Error('count must be a non-negative integer');
  return count;
}
