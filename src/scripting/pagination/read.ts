/** Reading a page's answer, for the paginators: body paths, next-page URLs, and their failures. */
import { PatchbayError } from '../../errors/index.ts';

export { valueAt } from '../../values/path.ts';

/** `provider_response_invalid`: the provider's answer cannot be paged through. */
export function invalidAnswer(message: string, cause?: unknown): PatchbayError {
  return new PatchbayError('provider_response_invalid', `Pagination: ${message}`, { cause });
}

/**
 * `target` resolved against `against`, refused unless it is on the API's origin without user
 * info: following it would send the connection's credentials to another host.
 */
export function sameOrigin(target: string, against: URL, base: URL): string {
  let url: URL;
  try {
    url = new URL(target, against);
  } catch (cause) {
    throw invalidAnswer(`the next page's URL is not a valid URL`, cause);
  }
  if (url.origin !== base.origin || url.username !== '' || url.password !== '') {
    throw invalidAnswer(`the next page's URL is on ${url.origin}, not on the API's origin ${base.origin}`);
  }
  return url.href;
}

/** A value's kind, for messages (`nothing`, `null`, `an array`, `an object`, `a number`). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The page-size parameter, when the settings name one. */
export function withLimit(
  query: Record<string, string | string[]>,
  settings: { limitParam?: string | undefined; limit?: number | undefined },
): Record<string, string | string[]> {
  if (settings.limitParam !== undefined && settings.limit !== undefined) {
    query[settings.limitParam] = String(settings.limit);
  }
  return query;
}
