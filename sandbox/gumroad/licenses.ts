/**
 * Gumroad's license keys in the emulator (https://gumroad.com/api#licenses): every sale carries
 * the `license_key` its JSON shows, and `POST /v2/licenses/verify` (`product_id`, `license_key`,
 * `increment_uses_count` default true) answers the sale with a `uses` count that grows with each
 * verification that increments it. The endpoint needs no access token, as at Gumroad.
 */

import { externalId } from './ids.ts';
import { SALT } from './store.ts';

/** The license key of sale `index` (what ./json.ts puts in `license_key`). */
export function licenseKey(index: number): string {
  return externalId(index, SALT.license).slice(0, 16).toUpperCase();
}

/** License keys found by key, and their use counts. */
export class Licenses {
  readonly #indexByKey = new Map<string, number>();
  readonly #uses = new Map<number, number>();
  #indexed = 0;

  /** The sale index of `key` among the first `saleCount` sales; undefined when none has it. */
  find(key: string, saleCount: number): number | undefined {
    // Keys are hashes of the index: index the sales once, then only those added since.
    for (; this.#indexed < saleCount; this.#indexed++)
      this.#indexByKey.set(licenseKey(this.#indexed), this.#indexed);
    return this.#indexByKey.get(key);
  }

  /** Uses of sale `index`'s key so far. */
  uses(index: number): number {
    return this.#uses.get(index) ?? 0;
  }

  /** Counts one more use; answers the new count. */
  increment(index: number): number {
    const next = this.uses(index) + 1;
    this.#uses.set(index, next);
    return next;
  }
}
