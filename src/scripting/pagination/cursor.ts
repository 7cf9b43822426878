/**
 * `cursor`: an opaque cursor from a response field (`next_page_key`, `paging.next.after`) or from
 * the last item (Stripe's `starting_after` = last `id`, until `has_more` is false), sent as a
 * query parameter or, for search endpoints, in the JSON body.
 */
import type { Pagination } from '../../catalog/index.ts';
import { describeValue, invalidAnswer, valueAt, withLimit } from './read.ts';
import type { Paginator } from './types.ts';

export const cursorPaginator: Paginator<Pagination<'cursor'>> = {
  position: 'cursor',
  request(settings, listing, position) {
    const cursor = position?.type === 'cursor' ? position.cursor : undefined;
    const query = { ...(listing.query ?? {}) };
    if (settings.cursorIn === 'body') {
      // Search endpoints take both in the JSON body (HubSpot `after` and `limit`).
      const json: Record<string, unknown> = { ...(listing.body?.json ?? {}) };
      if (settings.limitParam !== undefined) json[settings.limitParam] = settings.limit;
      if (cursor !== undefined) json[settings.cursorParam] = cursor;
      return { ...listing, query, body: { json } };
    }
    withLimit(query, settings);
    if (cursor !== undefined) query[settings.cursorParam] = cursor;
    return { ...listing, query };
  },
  next(settings, page) {
    if (settings.hasMorePath !== undefined && !valueAt(page.body, settings.hasMorePath)) return null;
    const cursor =
      settings.cursorPath !== undefined
        ? valueAt(page.body, settings.cursorPath)
        : page.items.length === 0
          ? undefined
          : valueAt(page.items.at(-1), settings.cursorFromLastItem ?? '');
    if (cursor === undefined || cursor === null || cursor === '') {
      if (settings.cursorFromLastItem !== undefined && page.items.length > 0) {
        throw invalidAnswer(`the last item has no "${settings.cursorFromLastItem}" to continue from`);
      }
      return null;
    }
    if (typeof cursor !== 'string' && typeof cursor !== 'number') {
      throw invalidAnswer(`the cursor is ${describeValue(cursor)}, not a string`);
    }
    return { type: 'cursor', cursor: String(cursor) };
  },
};
