/**
 * `offset`: `offset` + `limit` parameters (Mailchimp `offset`/`count`, Medusa `offset`/`limit`);
 * a short or empty page is the last, and so is the page that reaches the total when the answer
 * carries one.
 */
import type { Pagination } from '../../catalog/index.ts';
import { valueAt } from './read.ts';
import type { Paginator } from './types.ts';

export const offsetPaginator: Paginator<Pagination<'offset'>> = {
  position: 'offset',
  request(settings, listing, position) {
    const query = { ...(listing.query ?? {}) };
    query[settings.offsetParam] = String(position?.type === 'offset' ? position.offset : 0);
    query[settings.limitParam] = String(settings.limit);
    return { ...listing, query };
  },
  next(settings, page, position) {
    const offset = position?.type === 'offset' ? position.offset : 0;
    const count = page.items.length;
    if (count === 0 || count < settings.limit) return null;
    const next = offset + count;
    if (settings.totalPath !== undefined) {
      const total = Number(valueAt(page.body, settings.totalPath));
      if (Number.isFinite(total) && next >= total) return null;
    }
    return { type: 'offset', offset: next };
  },
};
