/**
 * A counting semaphore with a FIFO of waiters, for per-key concurrency caps (a provider's
 * simultaneous requests, an endpoint's deliveries in flight). A waiter can give up with an
 * AbortSignal; `onIdle` tells the owner when every permit is back, so per-key maps can drop it.
 */
export class Semaphore {
  readonly #size: number;
  readonly #onIdle: (() => void) | undefined;
  #free: number;
  readonly #waiters: Array<() => void> = [];

  constructor(size: number, onIdle?: () => void) {
    this.#size = size;
    this.#free = size;
    this.#onIdle = onIdle;
  }

  /** Permits not taken now. */
  get free(): number {
    return this.#free;
  }

  /** Waits for a permit; resolves with its release function (calling it twice is harmless). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#free > 0) {
      this.#free -= 1;
    } else {
      await new Promise<void>((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const index = this.#waiters.indexOf(grant);
          if (index !== -1) this.#waiters.splice(index, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiters.push(grant);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the permit straight to the next waiter, in arrival order.
      const next = this.#waiters.shift();
      if (next) {
        next();
        return;
      }
      this.#free += 1;
      if (this.#free === this.#size) this.#onIdle?.();
    };
  }
}
