/**
 * The objects of one kind in one account, kept in Stripe's list order without sorting on each
 * request: ascending by `created` then by `seq` (creation order), so newest-first pages read the
 * array backwards. Objects created now are appended in O(1); a seeded object dated in the past is
 * inserted at its place by binary search. `created` ranges become index windows by binary search,
 * so a page costs O(log n + what the page and its filter look at).
 */
import type { Range } from './params.ts';

/** What a listed record needs: its id, `created` (seconds) and its creation sequence number. */
export interface Listed {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
}

export interface PageQuery<T> {
  limit: number;
  startingAfter?: string | undefined;
  endingBefore?: string | undefined;
  created?: Range | undefined;
  filter?: ((item: T) => boolean) | undefined;
}

export interface Page<T> {
  /** Newest first. */
  items: T[];
  hasMore: boolean;
}

/** The cursor given is not in this collection (Stripe answers resource_missing). */
export class UnknownCursorError extends Error {
  readonly param: 'starting_after' | 'ending_before';
  readonly id: string;
  constructor(param: 'starting_after' | 'ending_before', id: string) {
    super(`unknown cursor ${id}`);
    this.param = param;
    this.id = id;
  }
}

export class Collection<T extends Listed> {
  readonly #items: T[] = [];
  readonly #byId = new Map<string, T>();

  get size(): number {
    return this.#items.length;
  }

  get(id: string): T | undefined {
    return this.#byId.get(id);
  }

  add(item: T): void {
    if (this.#byId.has(item.id)) return;
    this.#byId.set(item.id, item);
    const last = this.#items[this.#items.length - 1];
    if (last === undefined || compare(last, item) < 0) this.#items.push(item);
    else this.#items.splice(this.#lowerBound(item.created, item.seq), 0, item);
  }

  /** Takes an object out of the list; with `keepId` it can still be found by id (deleted customers). */
  remove(item: T, keepId = false): void {
    const at = this.#positionOf(item);
    if (at !== -1) this.#items.splice(at, 1);
    if (!keepId) this.#byId.delete(item.id);
  }

  /** Oldest first (for seeding and tests). */
  values(): readonly T[] {
    return this.#items;
  }

  page(query: PageQuery<T>): Page<T> {
    const { limit, filter } = query;
    let lo = 0;
    let hi = this.#items.length;
    const range = query.created;
    if (range) {
      if (range.gte !== undefined) lo = Math.max(lo, this.#lowerBound(range.gte, -Infinity));
      if (range.gt !== undefined) lo = Math.max(lo, this.#lowerBound(range.gt + 1, -Infinity));
      if (range.lte !== undefined) hi = Math.min(hi, this.#lowerBound(range.lte + 1, -Infinity));
      if (range.lt !== undefined) hi = Math.min(hi, this.#lowerBound(range.lt, -Infinity));
    }
    const items: T[] = [];
    let hasMore = false;
    if (query.endingBefore !== undefined) {
      // The objects just newer than the cursor, still answered newest first.
      const from = Math.max(lo, this.#cursor('ending_before', query.endingBefore) + 1);
      for (let i = from; i < hi; i++) {
        const item = this.#items[i] as T;
        if (filter && !filter(item)) continue;
        if (items.length === limit) {
          hasMore = true;
          break;
        }
        items.push(item);
      }
      items.reverse();
      return { items, hasMore };
    }
    const from =
      query.startingAfter === undefined
        ? hi - 1
        : Math.min(hi, this.#cursor('starting_after', query.startingAfter)) - 1;
    for (let i = from; i >= lo; i--) {
      const item = this.#items[i] as T;
      if (filter && !filter(item)) continue;
      if (items.length === limit) {
        hasMore = true;
        break;
      }
      items.push(item);
    }
    return { items, hasMore };
  }

  #cursor(param: 'starting_after' | 'ending_before', id: string): number {
    const item = this.#byId.get(id);
    const at = item === undefined ? -1 : this.#positionOf(item);
    if (at === -1) throw new UnknownCursorError(param, id);
    return at;
  }

  #positionOf(item: T): number {
    const at = this.#lowerBound(item.created, item.seq);
    return this.#items[at] === item ? at : -1;
  }

  /** The first index whose (created, seq) is not below the given pair. */
  #lowerBound(created: number, seq: number): number {
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.#items[mid] as T;
      if (item.created < created || (item.created === created && item.seq < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function compare(a: Listed, b: Listed): number {
  return a.created - b.created || a.seq - b.seq;
}
