/**
 * Pagination styles: a discriminated union on `type`, each style implemented by one paginator
 * (src/scripting/pagination/<style>.ts), or `custom` for a paginator in the provider's own folder. A
 * sync names its own resultsPath when the provider's list endpoints differ (Slack's `channels` vs
 * `members`); the definition gives the provider-wide default.
 */
import { z } from 'zod';
import { incomingHeader, itemsPath, jsonPath, paramName, positiveInt, slug } from './common.ts';

/** Page size: the parameter and the value to send (at most the provider's documented maximum). */
const limitFields = {
  limitParam: paramName.optional(),
  limit: positiveInt.optional(),
};

/**
 * An opaque cursor: from a response field (`next_page_key`, `paging.next.after`,
 * `response_metadata.next_cursor`) or from the last item (Stripe's `starting_after` = last `id`).
 */
export const cursorPaginationSchema = z
  .strictObject({
    type: z.literal('cursor'),
    cursorParam: paramName,
    cursorPath: jsonPath.optional(),
    cursorFromLastItem: jsonPath.optional(),
    /** Stop when this is false (Stripe `has_more`); otherwise stop when no cursor comes back. */
    hasMorePath: jsonPath.optional(),
    /** Where the cursor goes: query string, or JSON body for search endpoints. */
    cursorIn: z.enum(['query', 'body']).default('query'),
    resultsPath: itemsPath.optional(),
    ...limitFields,
  })
  .superRefine((p, ctx) => {
    if ((p.cursorPath === undefined) === (p.cursorFromLastItem === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cursorPath'],
        message: 'set exactly one of cursorPath or cursorFromLastItem',
      });
    }
    if (p.cursorFromLastItem !== undefined && p.hasMorePath === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['hasMorePath'],
        message: 'cursorFromLastItem needs hasMorePath to know when to stop',
      });
    }
  });

/** RFC 8288 `Link: <…>; rel="next"` headers (Shopify REST, GitHub). */
export const linkHeaderPaginationSchema = z.strictObject({
  type: z.literal('link_header'),
  rel: z.string().min(1).default('next'),
  resultsPath: itemsPath.optional(),
  ...limitFields,
});

/** `offset` + `limit` (Mailchimp `offset`/`count`, Medusa `offset`/`limit`). */
export const offsetPaginationSchema = z.strictObject({
  type: z.literal('offset'),
  offsetParam: paramName,
  limitParam: paramName,
  limit: positiveInt,
  resultsPath: itemsPath.optional(),
  /** Total item count, when the response carries it (stops one request early). */
  totalPath: jsonPath.optional(),
});

/** Page numbers (WooCommerce `page`/`per_page` with `X-WP-TotalPages`). */
export const pagePaginationSchema = z
  .strictObject({
    type: z.literal('page'),
    pageParam: paramName,
    startPage: z.union([z.literal(0), z.literal(1)]).default(1),
    resultsPath: itemsPath.optional(),
    totalPagesHeader: incomingHeader.optional(),
    totalPagesPath: jsonPath.optional(),
    ...limitFields,
  })
  .refine((p) => !(p.totalPagesHeader && p.totalPagesPath), {
    message: 'set totalPagesHeader or totalPagesPath, not both',
    path: ['totalPagesPath'],
  });

/**
 * The response carries the next page's URL (Salesforce `nextRecordsUrl`, Graph API
 * `paging.next`). Relative URLs resolve against the proxy base URL's origin; the proxy refuses a
 * next URL on another host.
 */
export const nextUrlPaginationSchema = z.strictObject({
  type: z.literal('next_url'),
  nextUrlPath: jsonPath,
  resultsPath: itemsPath.optional(),
  ...limitFields,
});

/**
 * A paginator of the provider's own: `paginators/<name>.ts` in its folder, loaded with its syncs.
 * `options` go to that paginator, which checks them with its own schema when it loads.
 */
export const customPaginationSchema = z.strictObject({
  type: z.literal('custom'),
  name: slug,
  options: z.record(z.string().max(64), z.unknown()).default({}),
  resultsPath: itemsPath.optional(),
  ...limitFields,
});

/** The registry of pagination styles. */
export const paginationSchemas = {
  cursor: cursorPaginationSchema,
  link_header: linkHeaderPaginationSchema,
  offset: offsetPaginationSchema,
  page: pagePaginationSchema,
  next_url: nextUrlPaginationSchema,
  custom: customPaginationSchema,
} as const;

export type PaginationType = keyof typeof paginationSchemas;
export const PAGINATION_TYPES = Object.keys(paginationSchemas) as PaginationType[];

export const paginationSchema = z
  .discriminatedUnion('type', [
    cursorPaginationSchema,
    linkHeaderPaginationSchema,
    offsetPaginationSchema,
    pagePaginationSchema,
    nextUrlPaginationSchema,
    customPaginationSchema,
  ])
  .superRefine((p, ctx) => {
    if ((p.limitParam === undefined) !== (p.limit === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['limit'], message: 'limitParam and limit go together' });
    }
  });

export type Pagination<T extends PaginationType = PaginationType> = z.output<(typeof paginationSchemas)[T]>;
