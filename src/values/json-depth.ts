/**
 * How deeply JSON from outside may nest: one rule for API bodies, provider webhooks, provider
 * answers and values a host passes to the library. JSON.parse in V8 is iterative and takes any
 * depth, but nearly everything after it recurses (JSON.stringify, schema validation, response
 * serialization, the database's own JSON parser), and fails with a RangeError a few thousand
 * levels down — a few tens of kilobytes of `[`. Refusing the value where it enters, before
 * anything recursive touches it, lets every later step rely on a small bound.
 *
 * Depth counts open objects and arrays: `1` is 0, `[]` and `{}` are 1, `{"a":[1]}` is 2.
 */
import { PatchbayError } from '../errors/index.ts';

/**
 * 64 levels: real provider payloads nest about ten (Stripe's event → object → line items →
 * price → product), and Patchbay wraps a value in a few more (event data, message envelope),
 * far below where recursion fails: V8's JSON.stringify ran out of Node 24's default stack at
 * 4,459 levels of arrays when called at the top of the stack, and sooner when called deeper.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * True when JSON text opens more than `maxDepth` objects and arrays at some point. A scan over the
 * characters that skips string contents (with their escapes) and stops as soon as the limit is
 * passed; it does not validate: for text that is not JSON it only bounds the brackets it opens.
 *
 * It jumps from one quote or bracket to the next with a global regular expression's `test`
 * (native, and it allocates no match), and over a string's contents with indexOf: in provider
 * JSON nearly all the text is inside strings or indentation, which a loop in JavaScript would
 * step through a character at a time. This runs on every page a sync reads, every API body and
 * every webhook (a 430 KB page of Stripe invoices: 2.9 ms by character, 1.8 ms so). A quote ends a
 * string unless an odd run of backslashes precedes it, which is what reading the escapes one by
 * one decides.
 */
export function jsonTextTooDeep(text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  // A new expression per call: its lastIndex is this scan's position, shared with nobody.
  const structural = /["[\]{}]/g;
  let depth = 0;
  while (structural.test(text)) {
    const at = structural.lastIndex - 1;
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      const end = stringEnd(text, at);
      if (end < 0) return false;
      structural.lastIndex = end + 1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else {
      depth--;
    }
  }
  return false;
}

/** The index of the quote that closes the string opened at `open`, or -1 when none does. */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; j > open && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

/**
 * True when a value nests objects and arrays more than `maxDepth` levels, counted as
 * JSON.stringify would see them (own enumerable properties; a value with `toJSON`, a Date or a
 * binary view is a leaf). Walks with its own stack, never recursion; a cycle is too deep.
 */
export function valueTooDeep(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  if (!isContainer(value)) return false;
  // Two parallel stacks rather than one of pairs: this runs on every record a sync stores.
  const containers: object[] = [value];
  const depths: number[] = [1];
  for (let container = containers.pop(); container !== undefined; container = containers.pop()) {
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(container) ? container : Object.values(container)) {
      if (isContainer(child)) {
        containers.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function isContainer(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    !ArrayBuffer.isView(value) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/**
 * The `json_too_deep` error (400) for `what` ("The request body", "Connection metadata"…), with
 * `details.maxDepth`.
 */
export function jsonTooDeep(what: string, maxDepth: number = MAX_JSON_DEPTH): PatchbayError {
  return new PatchbayError(
    'json_too_deep',
    `${what} ${depthLimitText(maxDepth)}; flatten it, or send the deep part as a string`,
    { details: { maxDepth } },
  );
}

/** "nests objects and arrays deeper than 64 levels, …": how every message of this rule says it. */
export function depthLimitText(maxDepth: number = MAX_JSON_DEPTH): string {
  return `nests objects and arrays deeper than ${maxDepth} levels, the most Patchbay accepts`;
}

/** Throws `json_too_deep` when the value nests deeper than the limit. */
export function checkValueDepth(value: unknown, what: string): void {
  if (valueTooDeep(value)) throw jsonTooDeep(what);
}
