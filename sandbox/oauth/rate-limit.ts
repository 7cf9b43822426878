/**
 * The provider's own rate limit, as a sliding-window log: a request at time t is accepted when
 * fewer than `requests` requests of the same key were accepted in (t - window, t]. This is the
 * strictest reading of "N requests per window", so a client that stays under it here stays under
 * it at any provider that counts in fixed or sliding windows.
 */
import type { SandboxClock } from './tokens.ts';

export interface RateLimitOptions {
  requests: number;
  windowSeconds: number;
  /** What one budget covers: the whole server (default) or each grant (each connection). */
  per?: 'server' | 'grant';
}

/** `resetSeconds`: whole seconds until the oldest request in the window leaves it. */
export type RateLimitDecision =
  | { ok: true; remaining: number; resetSeconds: number }
  | { ok: false; retryAfterSeconds: number };

export class SlidingWindowLimiter {
  readonly options: Readonly<RateLimitOptions>;
  readonly #clock: SandboxClock;
  readonly #windowMs: number;
  readonly #accepted = new Map<string, number[]>();

  constructor(options: RateLimitOptions, clock: SandboxClock) {
    if (!(Number.isInteger(options.requests) && options.requests > 0)) {
      throw new Error('rateLimit.requests must be a positive integer');
    }
    if (!(options.windowSeconds > 0)) throw new Error('rateLimit.windowSeconds must be positive');
    this.options = { ...options };
    this.#clock = clock;
    this.#windowMs = options.windowSeconds * 1000;
  }

  /** Takes one slot for `key` if there is one; otherwise says how long until the oldest frees. */
  take(key: string): RateLimitDecision {
    const now = this.#clock.now();
    let log = this.#accepted.get(key);
    if (!log) {
      log = [];
      this.#accepted.set(key, log);
    }
    // Drop what left the window: an entry counts while now - at < window.
    let stale = 0;
    while (stale < log.length && now - (log[stale] as number) >= this.#windowMs) stale++;
    if (stale > 0) log.splice(0, stale);
    if (log.length < this.options.requests) {
      log.push(now);
      return {
        ok: true,
        remaining: this.options.requests - log.length,
        resetSeconds: this.#secondsUntilFree(log, now),
      };
    }
    return { ok: false, retryAfterSeconds: this.#secondsUntilFree(log, now) };
  }

  /** Whole seconds, rounded up: a client that waits exactly this long finds a free slot. */
  #secondsUntilFree(log: number[], now: number): number {
    const freesAt = (log[0] as number) + this.#windowMs;
    return Math.max(1, Math.ceil((freesAt - now) / 1000));
  }
}
