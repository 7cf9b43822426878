/**
 * `page`: page numbers from `startPage` (WooCommerce `page`/`per_page`); the last page is the one
 * the total-pages header or field names, or the first empty one.
 */
import type { Pagination } from '../../catalog/index.ts';
import { valueAt, withLimit } from './read.ts';
import type { Paginator } from './types.ts';

export const pagePaginator: Paginator<Pagination<'page'>> = {
  position: 'page',
  request(settings, listing, position) {
    const query = { ...(listing.query ?? {}) };
    query[settings.pageParam] = String(position?.type === 'page' ? position.page : settings.startPage);
    return { ...listing, query: withLimit(query, settings) };
  },
  next(settings, page, position) {
    const current = position?.type === 'page' ? position.page : settings.startPage;
    if (page.items.length === 0) return null;
    const totalPages =
      settings.totalPagesHeader !== undefined
        ? Number(page.headers[settings.totalPagesHeader] ?? Number.NaN)
        : settings.totalPagesPath !== undefined
          ? Number(valueAt(page.body, settings.totalPagesPath) ?? Number.NaN)
          : Number.NaN;
    if (Number.isFinite(totalPages) && current >= settings.startPage + totalPages - 1) return null;
    return { type: 'page', page: current + 1 };
  },
};
