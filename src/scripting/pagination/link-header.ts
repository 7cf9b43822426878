/**
 * `link_header`: RFC 8288 `Link: <…>; rel="next"` response headers (Shopify REST, GitHub). The
 * next URL carries every parameter the provider needs, so the first request's are not repeated.
 */
import type { Pagination } from '../../catalog/index.ts';
import { sameOrigin, withLimit } from './read.ts';
import type { Paginator } from './types.ts';

/**
 * The target of the first link with relation `rel` in an RFC 8288 Link header
 * (`<https://…>; rel="next", <https://…>; rel="prev"`), or undefined.
 */
export function linkTarget(value: string | undefined, rel: string): string | undefined {
  if (value === undefined) return undefined;
  for (const match of value.matchAll(/<([^>]*)>([^<]*)/g)) {
    // The parameters run up to the next `<`, the comma between two links included.
    const params = (match[2] ?? '').replace(/,\s*$/, '');
    for (const param of params.split(';')) {
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
      const raw = param.slice(eq + 1).trim();
      const rels = (
        raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw
      ).split(/\s+/);
      if (rels.some((r) => r.toLowerCase() === rel.toLowerCase())) return match[1];
    }
  }
  return undefined;
}

export const linkHeaderPaginator: Paginator<Pagination<'link_header'>> = {
  position: 'url',
  request(settings, listing, position) {
    if (position?.type === 'url') return { ...listing, path: position.url, query: {} };
    return { ...listing, query: withLimit({ ...(listing.query ?? {}) }, settings) };
  },
  next(settings, page) {
    const target = linkTarget(page.headers.link, settings.rel);
    if (target === undefined) return null;
    return { type: 'url', url: sameOrigin(target, page.url, page.base) };
  },
};
