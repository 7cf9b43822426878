/**
 * The Gumroad emulator's account: a seller, its products and its sales. Sales are not stored:
 * sale n is computed from n (its time from a fixed timeline, its product, buyer and price from
 * hashes of n), so the emulator serves a million of them in constant memory. Only what changes
 * at runtime is kept: sales added since start (their times), deleted products, the revision.
 */
import { externalId, permalink, pick } from './ids.ts';
import { RevisionPlan } from './revision.ts';

/** Salts that keep the id spaces of the different kinds apart. */
export const SALT = { sale: 1, product: 2, seller: 3, purchaser: 4, subscription: 5, license: 6 } as const;

export interface GumroadStoreOptions {
  sales: number;
  products: number;
  /** Time of sale 0 (epoch ms). */
  firstSaleAt: number;
  /** Time of the last initial sale (epoch ms); the others are spread evenly in between. */
  lastSaleAt: number;
}

/** One product as the emulator knows it; the API shape is built in ./json.ts. */
export interface ProductSeed {
  readonly index: number;
  readonly id: string;
  readonly permalink: string;
  readonly name: string;
  /** In the product's currency, minor units (what Gumroad's product `price` carries). */
  readonly price: number;
  /** Gumroad's lower-case currency code. */
  readonly currency: 'usd' | 'eur';
  readonly recurrence: 'monthly' | null;
  readonly physical: boolean;
}

/** The facts of one sale, before they become Gumroad JSON. */
export interface SaleFacts {
  readonly index: number;
  readonly createdAt: number;
  readonly product: ProductSeed;
  readonly quantity: number;
  /** What the buyer paid, in USD cents (Gumroad's `price` of a sale is always USD cents). */
  readonly usdCents: number;
  /** The same in the product's currency, minor units (for the formatted display price). */
  readonly displayCents: number;
  readonly buyer: number;
  readonly refunded: boolean;
  readonly partiallyRefunded: boolean;
  /** USD cents still refundable. */
  readonly refundableUsdCents: number;
  readonly chargedback: boolean;
}

/** Dollars per euro in the emulator: fixed, so amounts are deterministic. */
const EUR_TO_USD = 1.08;

/** The emulated account's state; sales are computed on demand from their index. */
export class GumroadStore {
  readonly initialSales: number;
  readonly products: readonly ProductSeed[];
  readonly #firstSaleAt: number;
  readonly #spanMs: number;
  readonly #productById = new Map<string, ProductSeed>();
  readonly #deleted = new Set<number>();
  readonly #added: number[] = [];
  readonly #salesCount: number[];
  readonly #salesUsdCents: number[];
  #plan: RevisionPlan;

  constructor(options: GumroadStoreOptions) {
    for (const [name, value] of [
      ['sales', options.sales],
      ['products', options.products],
    ] as const) {
      if (!(Number.isSafeInteger(value) && value >= 0))
        throw new Error(`${name} must be a non-negative integer`);
    }
    if (options.sales > 0 && options.products === 0) throw new Error('sales need at least one product');
    if (!(options.lastSaleAt >= options.firstSaleAt))
      throw new Error('lastSaleAt must not be before firstSaleAt');
    this.initialSales = options.sales;
    this.#firstSaleAt = options.firstSaleAt;
    this.#spanMs = options.lastSaleAt - options.firstSaleAt;
    const products: ProductSeed[] = [];
    for (let j = 0; j < options.products; j++) {
      const product = productSeed(j);
      products.push(product);
      this.#productById.set(product.id, product);
    }
    this.products = products;
    this.#salesCount = new Array<number>(options.products).fill(0);
    this.#salesUsdCents = new Array<number>(options.products).fill(0);
    // One pass at start for the per-product totals that /v2/products reports.
    for (let i = 0; i < this.initialSales; i++) this.#count(i);
    this.#plan = new RevisionPlan(this.initialSales, 0);
  }

  /** Sales in the account: the initial ones plus those added at runtime. */
  get saleCount(): number {
    return this.initialSales + this.#added.length;
  }

  get revision(): number {
    return this.#plan.revision;
  }

  /** Sales that differ from revision 0 at the current revision. */
  get changedCount(): number {
    return this.#plan.changedCount;
  }

  setRevision(revision: number): void {
    this.#plan = new RevisionPlan(this.initialSales, revision);
  }

  /** Time of sale `index`; non-decreasing in the index, so the index order is the time order. */
  createdAt(index: number): number {
    if (index >= this.initialSales) return this.#added[index - this.initialSales] as number;
    if (this.initialSales < 2) return this.#firstSaleAt;
    return this.#firstSaleAt + Math.floor((index * this.#spanMs) / (this.initialSales - 1));
  }

  /** The first index whose sale is at or after `at` (saleCount when none is). */
  firstIndexAtOrAfter(at: number): number {
    let low = 0;
    let high = this.saleCount;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.createdAt(middle) < at) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Adds `count` sales made at `at` (never before the latest sale, so the timeline stays ordered). */
  addSales(count: number, at: number): number[] {
    if (!(Number.isSafeInteger(count) && count > 0)) throw new Error('count must be a positive integer');
    if (this.products.length === 0) throw new Error('sales need at least one product');
    const latest = this.saleCount > 0 ? this.createdAt(this.saleCount - 1) : at;
    const indexes: number[] = [];
    for (let n = 0; n < count; n++) {
      this.#added.push(Math.max(at, latest));
      const index = this.saleCount - 1;
      this.#count(index);
      indexes.push(index);
    }
    return indexes;
  }

  sale(index: number): SaleFacts {
    const product = this.products[productOf(index, this.products.length)] as ProductSeed;
    const quantity = pick(index, 13, 10) === 0 ? 2 : 1;
    const displayCents = product.price * quantity;
    const usdCents = toUsdCents(product, displayCents);
    const rank = this.#plan.changeRank(index);
    // A changed sale is refunded in full or in part, alternating along the change list.
    const refunded = rank >= 0 && (rank + this.#plan.revision) % 2 === 0;
    const partiallyRefunded = rank >= 0 && !refunded;
    return {
      index,
      createdAt: this.createdAt(index),
      product,
      quantity,
      usdCents,
      displayCents,
      buyer: pick(index, 31, Math.max(1, Math.floor(this.initialSales / 2) + 1)),
      refunded,
      partiallyRefunded,
      refundableUsdCents: refunded ? 0 : partiallyRefunded ? Math.floor(usdCents / 2) : usdCents,
      chargedback: pick(index, 17, 500) === 0,
    };
  }

  productById(id: string): ProductSeed | undefined {
    return this.#productById.get(id);
  }

  /** Products not deleted, in Gumroad's order (newest first). */
  aliveProducts(): ProductSeed[] {
    return this.products.filter((product) => !this.#deleted.has(product.index)).reverse();
  }

  /** Deletes a product from the listing (its sales stay, as at Gumroad). False if unknown or gone. */
  deleteProduct(id: string): boolean {
    const product = this.#productById.get(id);
    if (!product || this.#deleted.has(product.index)) return false;
    this.#deleted.add(product.index);
    return true;
  }

  salesTotals(product: ProductSeed): { count: number; usdCents: number } {
    return {
      count: this.#salesCount[product.index] ?? 0,
      usdCents: this.#salesUsdCents[product.index] ?? 0,
    };
  }

  #count(index: number): void {
    const j = productOf(index, this.products.length);
    const product = this.products[j] as ProductSeed;
    const quantity = pick(index, 13, 10) === 0 ? 2 : 1;
    this.#salesCount[j] = (this.#salesCount[j] ?? 0) + 1;
    this.#salesUsdCents[j] = (this.#salesUsdCents[j] ?? 0) + toUsdCents(product, product.price * quantity);
  }
}

function productOf(index: number, products: number): number {
  return pick(index, 11, products);
}

function toUsdCents(product: ProductSeed, cents: number): number {
  return product.currency === 'usd' ? cents : Math.round(cents * EUR_TO_USD);
}

function productSeed(j: number): ProductSeed {
  const recurrence = j % 4 === 1 ? 'monthly' : null;
  return {
    index: j,
    id: externalId(j, SALT.product),
    permalink: permalink(j),
    name: recurrence ? `Membership ${j + 1}` : `Product ${j + 1}`,
    // Whole amounts mostly, some with cents: $3 to $50.
    price: 100 * (3 + pick(j, 21, 48)) + (j % 7 === 0 ? 99 : 0),
    currency: j % 5 === 4 ? 'eur' : 'usd',
    recurrence,
    physical: j % 6 === 5,
  };
}
