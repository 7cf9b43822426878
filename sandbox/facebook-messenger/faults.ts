/**
 * Faults of the emulator's Graph API, armed at runtime by tests: server errors, rate-limit
 * answers and slow answers. Each armed fault is used up by one Graph request (the login dialog
 * and control calls are not affected); arming a kind again replaces what was left of it.
 */
import { type GraphError, GraphErrors, type RateLimitCode } from './graph-errors.ts';

export interface RateLimitFault {
  /** Default 613, the Send API's "Calls to this api have exceeded the rate limit". */
  code?: RateLimitCode;
  /** Default 400, what Graph sends with throttling errors; 429 when a test wants one. */
  status?: number;
}

export interface MessengerFaultControl {
  /** The next `count` Graph requests answer `status` (default 500) with Graph's code 2. */
  serverErrors(count: number, status?: number): void;
  /** The next `count` Graph requests answer a throttling error. */
  rateLimit(count: number, fault?: RateLimitFault): void;
  /** The next `count` Graph requests wait `ms` before being handled. */
  delay(count: number, ms: number): void;
  /** Disarms every fault and releases delayed requests at once. */
  clear(): void;
  readonly pending: { serverErrors: number; rateLimited: number; delayed: number };
}

export class MessengerFaults implements MessengerFaultControl {
  readonly pending = { serverErrors: 0, rateLimited: 0, delayed: 0 };
  #serverStatus = 500;
  #rateLimit: Required<RateLimitFault> = { code: 613, status: 400 };
  #delayMs = 0;
  readonly #waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  serverErrors(count: number, status = 500): void {
    this.pending.serverErrors = checkCount(count);
    this.#serverStatus = status;
  }

  rateLimit(count: number, fault: RateLimitFault = {}): void {
    this.pending.rateLimited = checkCount(count);
    this.#rateLimit = { code: fault.code ?? 613, status: fault.status ?? 400 };
  }

  delay(count: number, ms: number): void {
    if (!(ms >= 0)) throw new Error('delay ms must be a non-negative number');
    this.pending.delayed = checkCount(count);
    this.#delayMs = ms;
  }

  clear(): void {
    this.pending.serverErrors = 0;
    this.pending.rateLimited = 0;
    this.pending.delayed = 0;
    for (const wait of this.#waits) {
      clearTimeout(wait.timer);
      wait.resolve();
    }
    this.#waits.clear();
  }

  /** The armed failure this request answers with, if any: throttling first, then server errors. */
  takeFailure(): { kind: 'rateLimited' | 'serverErrors'; error: GraphError } | undefined {
    if (this.pending.rateLimited > 0) {
      this.pending.rateLimited--;
      return {
        kind: 'rateLimited',
        error: GraphErrors.rateLimited(this.#rateLimit.code, this.#rateLimit.status),
      };
    }
    if (this.pending.serverErrors > 0) {
      this.pending.serverErrors--;
      return { kind: 'serverErrors', error: GraphErrors.serviceError(this.#serverStatus) };
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
}

function checkCount(count: number): number {
  if (!(Number.isSafeInteger(count) && count >= 0)) throw new Error('count must be a non-negative integer');
  return count;
}
