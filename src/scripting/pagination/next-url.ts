/**
 * `next_url`: the answer carries the next page's URL (Salesforce `nextRecordsUrl`, Graph API
 * `paging.next`). Relative URLs resolve against the API's origin; another origin is refused.
 */
import type { Pagination } from '../../catalog/index.ts';
import { describeValue, invalidAnswer, sameOrigin, valueAt, withLimit } from './read.ts';
import type { Paginator } from './types.ts';

export const nextUrlPaginator: Paginator<Pagination<'next_url'>> = {
  position: 'url',
  request(settings, listing, position) {
    // A next URL carries every parameter the provider needs: the first request's are not repeated.
    if (position?.type === 'url') return { ...listing, path: position.url, query: {} };
    return { ...listing, query: withLimit({ ...(listing.query ?? {}) }, settings) };
  },
  next(settings, page) {
    const target = valueAt(page.body, settings.nextUrlPath);
    if (target === undefined || target === null || target === '') return null;
    if (typeof target !== 'string')
      throw invalidAnswer(`the next URL is ${describeValue(target)}, not a string`);
    return { type: 'url', url: sameOrigin(target, new URL(page.base.origin), page.base) };
  },
};
