/**
 * Reading and writing dotted paths in JSON values. Writes and removals copy the containers along
 * the path instead of changing them: a mapped record shares its untouched parts with the input,
 * and the input is never modified.
 */

/** A path split into its segments once, at compile time. */
export type PathSegments = readonly string[];

type Container = Record<string, unknown> | unknown[];

const INDEX = /^(0|[1-9][0-9]*)$/;

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/** The value at `segments` (own properties only), or undefined when any step is missing. */
export function readPath(data: unknown, segments: PathSegments): unknown {
  let current = data;
  for (const segment of segments) {
    if (!isContainer(current) || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function copy(container: Container): Container {
  return Array.isArray(container) ? [...container] : { ...container };
}

/**
 * Sets `value` at `segments` in `target` (mutated at the top level only): containers below are
 * copied, missing ones created (an array when the next segment is an index), and a non-container
 * in the way is replaced.
 */
export function writePath(target: Record<string, unknown>, segments: PathSegments, value: unknown): void {
  let parent: Container = target;
  for (let index = 0; index < segments.length - 1; index++) {
    const segment = segments[index]!;
    const existing: unknown = (parent as Record<string, unknown>)[segment];
    const next: Container = isContainer(existing)
      ? copy(existing)
      : INDEX.test(segments[index + 1]!)
        ? []
        : {};
    (parent as Record<string, unknown>)[segment] = next;
    parent = next;
  }
  (parent as Record<string, unknown>)[segments.at(-1)!] = value;
}

/**
 * Removes the value at `segments` from `target` (mutated at the top level only, copies below).
 * Objects left empty by the removal are removed too; array elements are never removed, so the
 * positions of the others stay what a mapping's paths expect.
 */
export function removePath(target: Record<string, unknown>, segments: PathSegments): void {
  if (segments.length === 1) {
    delete target[segments[0]!];
    return;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  const child = target[head];
  if (!isContainer(child) || !Object.hasOwn(child, rest[0]!)) return;
  if (Array.isArray(child)) {
    if (rest.length === 1) return;
    const element = child[Number(rest[0])];
    if (!isContainer(element) || Array.isArray(element)) return;
    const copied = [...child];
    const inner = { ...element };
    removePath(inner, rest.slice(1));
    copied[Number(rest[0])] = inner;
    target[head] = copied;
    return;
  }
  const inner = { ...child };
  removePath(inner, rest);
  if (Object.keys(inner).length === 0) delete target[head];
  else target[head] = inner;
}
