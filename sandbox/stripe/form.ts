/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with nested keys in brackets, as
 * Rack reads them. `metadata[plan]=pro` is an object, `expand[]=lines` appends to an array, and
 * `line_items[0][price_data][unit_amount]=500` is an object keyed "0" (the SDK sends indexed
 * keys; `Params.list` reads both forms as a list). `a[][b]=1&a[][c]=2` fills one element and
 * `a[][b]=1&a[][b]=2` two, as in Rack. A key that is a value in one place and a container in
 * another is refused, as Stripe refuses it.
 */

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** A body or query string Stripe would refuse to read; `param` names the offending key. */
export class FormDecodeError extends Error {
  readonly param: string;
  constructor(message: string, param: string) {
    super(message);
    this.param = param;
  }
}

/** Decodes a form body or query string (without the leading `?`) into nested objects and arrays. */
export function decodeForm(text: string): FormObject {
  const root: FormObject = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    assign(root, parseKey(key), value, key);
  }
  return root;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new FormDecodeError(`Invalid URL encoding: ${text}`, text);
  }
}

/** `a[b][][c]` → ['a', 'b', '', 'c']; an empty segment stands for `[]`. */
export function parseKey(key: string): string[] {
  const open = key.indexOf('[');
  const name = open === -1 ? key : key.slice(0, open);
  if (name === '') throw new FormDecodeError(`Invalid parameter name: ${key}`, key);
  const segments = [name];
  let rest = open === -1 ? '' : key.slice(open);
  while (rest !== '') {
    const match = /^\[([^[\]]*)\]/.exec(rest);
    if (!match) throw new FormDecodeError(`Invalid parameter name: ${key}`, key);
    segments.push(match[1] as string);
    rest = rest.slice(match[0].length);
  }
  for (const segment of segments) {
    // Assigning `__proto__` on a plain object would replace its prototype.
    if (segment === '__proto__') throw new FormDecodeError(`Invalid parameter name: ${key}`, key);
  }
  return segments;
}

function isObject(value: FormValue | undefined): value is FormObject {
  return typeof value === 'object' && !Array.isArray(value);
}

function assign(container: FormObject, segments: string[], value: string, key: string): void {
  const [name, ...rest] = segments as [string, ...string[]];
  const existing = container[name];
  if (rest.length === 0) {
    if (existing !== undefined && typeof existing !== 'string') throw conflict(key, 'a string');
    container[name] = value;
    return;
  }
  if (rest[0] === '') {
    const list = existing ?? [];
    if (!Array.isArray(list)) throw conflict(key, 'an array');
    container[name] = list;
    const child = rest.slice(1);
    if (child.length === 0) {
      list.push(value);
      return;
    }
    // Rack's rule: keep filling the last element until it already has this key.
    const last = list[list.length - 1];
    if (isObject(last) && !hasPath(last, child)) {
      assign(last, child, value, key);
    } else {
      const element: FormObject = {};
      list.push(element);
      assign(element, child, value, key);
    }
    return;
  }
  const object = existing ?? {};
  if (!isObject(object)) throw conflict(key, 'a hash');
  container[name] = object;
  assign(object, rest, value, key);
}

function hasPath(object: FormObject, segments: string[]): boolean {
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '' || !Object.hasOwn(object, head)) return false;
  const value = object[head];
  if (rest.length === 0 || rest[0] === '') return true;
  return isObject(value) && hasPath(value, rest);
}

function conflict(key: string, expected: string): FormDecodeError {
  return new FormDecodeError(
    `Invalid value for ${key}: expected ${expected} in the same place as before`,
    key,
  );
}
