/**
 * The paginator interface: one implementation per pagination style (./<style>.ts), and a
 * provider's own in its folder (`paginators/<name>.ts`, see ../define.ts `definePaginator`). A
 * paginator only says which parameters a page's request carries and where the next page starts;
 * the listing engine (../paginate.ts) sends the requests, reads the items, prefetches, resumes
 * and refuses loops and foreign origins, for every style alike.
 */
import type { z } from 'zod';
import type { Pagination } from '../../catalog/index.ts';
import type { ProviderRequest } from '../../proxy/types.ts';
import type { PageCursor, PaginateRequest } from '../types.ts';

/** One page as fetched: what a paginator reads to find the next one. */
export interface FetchedPage {
  /** The parsed JSON body. */
  body: unknown;
  /** The results array found at `resultsPath`. */
  items: unknown[];
  /** Response headers, by lower-case name. */
  headers: Record<string, string>;
  /** The URL this page was requested at (relative links resolve against it). */
  url: URL;
  /** The connection's API base URL: a next page's URL must be on its origin. */
  base: URL;
}

/** A listing's request without its paging fields: what a paginator adds its parameters to. */
export type ListingRequest = Omit<PaginateRequest, 'pagination' | 'startAt' | 'signal'>;

/** One pagination style. `S` is its settings: the definition's `pagination` block (with a listing's overrides). */
export interface Paginator<S> {
  /** The kind of position its pages continue from; a checkpointed `startAt` must be one. */
  readonly position: PageCursor['type'];
  /** The request for the page at `position` (null: the first page). */
  request(settings: S, listing: ListingRequest, position: PageCursor | null): ProviderRequest;
  /** Where the page after `page` starts, or null when `page` is the last. */
  next(settings: S, page: FetchedPage, position: PageCursor | null): PageCursor | null;
}

/** The settings a provider's own paginator gets: its definition block, `options` checked by its schema. */
export type CustomPaginationSettings<O> = Omit<Pagination<'custom'>, 'options'> & { options: O };

/** A provider's own paginator, from `paginators/<name>.ts` in its folder. */
export interface CustomPaginator<O = Record<string, unknown>> extends Paginator<CustomPaginationSettings<O>> {
  /** Checks the definition's `options` when the provider loads (and gives them their type). */
  readonly options?: z.ZodType<O>;
}
