/**
 * Which sales a revision changes. At revision r > 0 exactly `floor(sales / 100)` of the initial
 * sales differ from revision 0: the first that many positions of a permutation of the sales that
 * depends on r. The permutation is affine (i → a·i + b mod n, a coprime to n), so asking whether
 * sale i changed is one multiplication, with nothing stored.
 */
import { gcd, mix32 } from './ids.ts';

/** The sales one revision changes, answered per index in constant time and memory. */
export class RevisionPlan {
  readonly revision: number;
  /** How many sales differ from revision 0. */
  readonly changedCount: number;
  readonly #size: number;
  readonly #inverse: number;
  readonly #offset: number;

  /** `size`: the number of sales the plan covers (the emulator's initial sales). */
  constructor(size: number, revision: number) {
    if (!(Number.isSafeInteger(revision) && revision >= 0)) {
      throw new Error('revision must be a non-negative integer');
    }
    this.revision = revision;
    this.#size = size;
    this.changedCount = revision === 0 ? 0 : Math.floor(size / 100);
    if (size < 2) {
      this.#inverse = 1;
      this.#offset = 0;
      return;
    }
    let multiplier = 1 + (mix32(revision * 2 + 1) % (size - 1));
    while (gcd(multiplier, size) !== 1) multiplier = (multiplier % (size - 1)) + 1;
    this.#inverse = inverseModulo(multiplier, size);
    this.#offset = mix32(revision ^ 0x2545f491) % size;
  }

  /**
   * The position of sale `index` in this revision's change list, or -1 when the sale is as at
   * revision 0 (also for sales beyond the plan, such as ones added at runtime).
   */
  changeRank(index: number): number {
    if (this.changedCount === 0 || index >= this.#size) return -1;
    // k = a⁻¹ · (i − b) mod n; the products stay below n² ≤ 2^53 for n up to ~9·10^7.
    const shifted = (index - this.#offset + this.#size) % this.#size;
    const rank = multiplyModulo(this.#inverse, shifted, this.#size);
    return rank < this.changedCount ? rank : -1;
  }
}

function multiplyModulo(a: number, b: number, m: number): number {
  const product = a * b;
  if (Number.isSafeInteger(product)) return product % m;
  return Number((BigInt(a) * BigInt(b)) % BigInt(m));
}

function inverseModulo(a: number, m: number): number {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}
