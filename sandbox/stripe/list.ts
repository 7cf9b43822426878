/**
 * Stripe's list endpoints: `limit` (1–100, default 10), `starting_after` / `ending_before` (an
 * object id; only one of them), `created` ranges where the endpoint has them, and the answer
 * `{ object: 'list', data, has_more, url }`, newest first.
 */
import { type Collection, type Listed, type PageQuery, UnknownCursorError } from './collection.ts';
import { invalidRequest, noSuch } from './errors.ts';
import type { ListJson } from './json.ts';
import type { Params } from './params.ts';

export interface ListOptions<T> {
  /** The `url` of the answer, e.g. `/v1/customers`. */
  url: string;
  /** Whether the endpoint takes `created` (most do). */
  created?: boolean;
  filter?: ((item: T) => boolean) | undefined;
  /** What a bad cursor is "No such …" of, e.g. `customer`. */
  noun: string;
}

/** Reads the pagination parameters of a list call. */
export function pageQuery<T>(
  params: Params,
  options: Pick<ListOptions<T>, 'created' | 'filter'>,
): PageQuery<T> {
  const limit = params.integer('limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidRequest('Invalid limit: must be between 1 and 100', { param: 'limit' });
  }
  const startingAfter = params.string('starting_after');
  const endingBefore = params.string('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.', {
      code: 'parameters_exclusive',
    });
  }
  return {
    limit,
    startingAfter: startingAfter || undefined,
    endingBefore: endingBefore || undefined,
    created: options.created === false ? undefined : params.range('created'),
    filter: options.filter,
  };
}

/** One page of `collection` rendered with `render`. */
export function listPage<T extends Listed, J>(
  collection: Collection<T>,
  params: Params,
  options: ListOptions<T>,
  render: (item: T) => J,
): ListJson<J> {
  const query = pageQuery(params, options);
  params.done();
  try {
    const page = collection.page(query);
    return { object: 'list', data: page.items.map(render), has_more: page.hasMore, url: options.url };
  } catch (error) {
    if (error instanceof UnknownCursorError) throw noSuch(options.noun, error.id, error.param, 400);
    throw error;
  }
}

/** An embedded list (invoice lines, refunds of a fee): the first `limit` items of an array. */
export function embeddedList<T>(items: readonly T[], url: string, limit = 10): ListJson<T> {
  return { object: 'list', data: items.slice(0, limit), has_more: items.length > limit, url };
}

/**
 * A page of an ordered array that is not a collection (the lines of an invoice, the line items of
 * a checkout session): oldest first, as Stripe lists them, with the same cursor parameters.
 */
export function arrayPage<T extends { id: string }, J>(
  items: readonly T[],
  params: Params,
  url: string,
  noun: string,
  render: (item: T) => J,
): ListJson<J> {
  const query = pageQuery<T>(params, { created: false });
  params.done();
  let from = 0;
  let to = items.length;
  if (query.startingAfter !== undefined)
    from = indexOf(items, query.startingAfter, 'starting_after', noun) + 1;
  if (query.endingBefore !== undefined) {
    to = indexOf(items, query.endingBefore, 'ending_before', noun);
    from = Math.max(0, to - query.limit);
  }
  const data = items.slice(from, Math.min(to, from + query.limit));
  const hasMore = query.endingBefore !== undefined ? from > 0 : from + query.limit < to;
  return { object: 'list', data: data.map(render), has_more: hasMore, url };
}

function indexOf<T extends { id: string }>(
  items: readonly T[],
  id: string,
  param: string,
  noun: string,
): number {
  const at = items.findIndex((item) => item.id === id);
  if (at === -1) throw noSuch(noun, id, param, 400);
  return at;
}
