/**
 * The pagination styles: one paginator per built-in style, keyed by the definition's `type`, and
 * `custom` for a provider's own (looked up by name among the paginators its folder supplies).
 */
import { describeIssues, type Pagination, type PaginationType } from '../../catalog/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import { cursorPaginator } from './cursor.ts';
import { linkHeaderPaginator } from './link-header.ts';
import { nextUrlPaginator } from './next-url.ts';
import { offsetPaginator } from './offset.ts';
import { pagePaginator } from './page.ts';
import type { CustomPaginator, Paginator } from './types.ts';

export { linkTarget } from './link-header.ts';
export { valueAt } from './read.ts';
export type {
  CustomPaginationSettings,
  CustomPaginator,
  FetchedPage,
  ListingRequest,
  Paginator,
} from './types.ts';

type BuiltInType = Exclude<PaginationType, 'custom'>;

/** The built-in styles. */
export const PAGINATORS: { readonly [T in BuiltInType]: Paginator<Pagination<T>> } = {
  cursor: cursorPaginator,
  link_header: linkHeaderPaginator,
  offset: offsetPaginator,
  page: pagePaginator,
  next_url: nextUrlPaginator,
};

/** A paginator with the settings it runs with (a custom one's `options` checked by its schema). */
export interface BoundPaginator {
  paginator: Paginator<unknown>;
  settings: unknown;
}

/**
 * The paginator of `pagination`, bound to its settings. A `custom` style names one of `custom`
 * (the provider's own); an unknown name or options its schema refuses are `invalid_request`.
 */
export function paginatorFor(
  pagination: Pagination,
  custom: ReadonlyMap<string, CustomPaginator<unknown>> | undefined,
): BoundPaginator {
  if (pagination.type !== 'custom') {
    return { paginator: PAGINATORS[pagination.type] as Paginator<unknown>, settings: pagination };
  }
  const paginator = custom?.get(pagination.name);
  if (!paginator) {
    const available = [...(custom?.keys() ?? [])].sort();
    throw new PatchbayError(
      'invalid_request',
      `This provider has no paginator named "${pagination.name}" (${available.length === 0 ? 'it has none' : `available: ${available.join(', ')}`}); add paginators/${pagination.name}.ts to its folder`,
      { details: { name: pagination.name, available } },
    );
  }
  return { paginator: paginator as Paginator<unknown>, settings: customSettings(paginator, pagination) };
}

/** The settings of a custom paginator: its `options` parsed by its own schema, when it has one. */
export function customSettings(
  paginator: CustomPaginator<unknown>,
  pagination: Pagination<'custom'>,
): unknown {
  if (paginator.options === undefined) return pagination;
  const result = paginator.options.safeParse(pagination.options);
  if (!result.success) {
    const issues = describeIssues(result.error);
    throw new PatchbayError(
      'invalid_request',
      `Invalid options for paginator "${pagination.name}":\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
      { details: { name: pagination.name, issues }, cause: result.error },
    );
  }
  return { ...pagination, options: result.data };
}
