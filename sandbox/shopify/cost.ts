/**
 * Shopify's calculated query cost, as https://shopify.dev/docs/api/admin-graphql#rate-limits
 * describes it: a leaky bucket per app and store holding `maximumAvailable` points that refills at
 * `restoreRate` points per second. A query needs its requested cost available to start; the
 * bucket is then charged the actual cost. A query asking more than 1,000 points is refused
 * (MAX_COST_EXCEEDED); one the bucket cannot hold now is refused with THROTTLED.
 */

export interface ShopifyBucketOptions {
  /** Default 2,000 points (a Standard plan's bucket). */
  maximumAvailable?: number;
  /** Default 100 points per second (Standard). */
  restoreRate?: number;
}

/** A query's `extensions.cost`, as Shopify reports it. */
export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

/** The most a single query may request. */
export const SINGLE_QUERY_MAX_COST = 1000;

export class CostBucket {
  readonly maximumAvailable: number;
  readonly restoreRate: number;
  #available: number;
  #at: number;
  readonly #now: () => number;

  constructor(options: ShopifyBucketOptions, now: () => number) {
    this.maximumAvailable = options.maximumAvailable ?? 2000;
    this.restoreRate = options.restoreRate ?? 100;
    this.#available = this.maximumAvailable;
    this.#now = now;
    this.#at = now();
  }

  /** Points available now. */
  available(): number {
    const now = this.#now();
    this.#available = Math.min(
      this.maximumAvailable,
      this.#available + (this.restoreRate * Math.max(0, now - this.#at)) / 1000,
    );
    this.#at = now;
    return this.#available;
  }

  /** Takes `requested` points if the bucket holds them; false (nothing taken) otherwise. */
  take(requested: number): boolean {
    if (this.available() < requested) return false;
    this.#available -= requested;
    return true;
  }

  /** Gives back what a query requested and did not use. */
  refund(points: number): void {
    this.#available = Math.min(this.maximumAvailable, this.#available + points);
  }

  status(): QueryCost['throttleStatus'] {
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available()),
      restoreRate: this.restoreRate,
    };
  }
}
