/**
 * Stripe's request encoding (API v1): `application/x-www-form-urlencoded` with nested keys in
 * brackets. `{ metadata: { handle: 'ana' } }` is `metadata[handle]=ana`; arrays are indexed,
 * `line_items[0][price_data][unit_amount]=500`; booleans are `true` / `false`; `null` is sent as
 * an empty value (Stripe's way to unset a field, e.g. one metadata key); `undefined` is left out.
 * The same pairs serve a GET's query string.
 */

/** A value Stripe's form encoding can carry. */
export type FormValue = string | number | boolean | null | undefined | readonly FormValue[] | FormParams;
export interface FormParams {
  readonly [key: string]: FormValue;
}

/** The flat `key=value` pairs of `params`, in the order of its keys. */
export function formPairs(params: FormParams): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const visit = (key: string, value: FormValue): void => {
    if (value === undefined) return;
    if (value === null) {
      pairs.push([key, '']);
    } else if (Array.isArray(value)) {
      (value as readonly FormValue[]).forEach((item, index) => {
        visit(`${key}[${index}]`, item);
      });
    } else if (typeof value === 'object') {
      for (const [name, item] of Object.entries(value as FormParams)) visit(`${key}[${name}]`, item);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new TypeError(`Stripe parameter ${key} is not a finite number`);
      pairs.push([key, String(value)]);
    } else {
      pairs.push([key, String(value)]);
    }
  };
  for (const [key, value] of Object.entries(params)) visit(key, value);
  return pairs;
}

/** The form body of `params`. Brackets stay readable; Stripe decodes them either way. */
export function encodeForm(params: FormParams): string {
  return formPairs(params)
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .join('&');
}

function encode(text: string): string {
  return encodeURIComponent(text).replaceAll('%5B', '[').replaceAll('%5D', ']');
}
