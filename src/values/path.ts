/**
 * Reading a JSON value by the dot paths definitions write (`data.object.id`, `entry.0.id`,
 * `paging.next.after`; `$` is the value itself): the one reader for token responses, webhook
 * metadata and routing, and paginators. Only own properties are read, so `__proto__` or
 * `constructor` in a path never reach the prototype chain; numeric segments index arrays.
 */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '$') return value;
  let current = value;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else return undefined;
  }
  return current;
}

/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A scalar as text (`true`, `42`, `acct_1`); objects, arrays, null, non-finite numbers give
 * undefined. Callers that need an identifier use `idText`.
 */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** An identifier as text: a non-empty string or a finite number (a portal id may be a number). */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'boolean') return undefined;
  const text = scalarText(value);
  return text === '' ? undefined : text;
}

/**
 * Every value a dot path reaches when arrays fan out: a segment that is not an index applies to
 * each element of an array (`items.priceId` gives the price of every item), a numeric one indexes
 * it. Arrays at the end are flattened into their elements. The same own-property rule as
 * `valueAt`. Used where a rule matches "any of" (plan-from-subscription rules).
 */
export function valuesAt(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  if (path !== '$') {
    for (const segment of path.split('.')) {
      const next: unknown[] = [];
      for (const item of current) {
        if (Array.isArray(item)) {
          if (/^\d+$/.test(segment)) {
            if (Number(segment) < item.length) next.push(item[Number(segment)]);
          } else {
            for (const element of item) {
              if (isObject(element) && Object.hasOwn(element, segment)) next.push(element[segment]);
            }
          }
        } else if (isObject(item) && Object.hasOwn(item, segment)) next.push(item[segment]);
      }
      current = next;
    }
  }
  return current.flatMap((item) => (Array.isArray(item) ? item : [item]));
}
