/**
 * Whether a dotted path can ever hold a value in data that a zod schema describes: the check
 * behind refusing a field mapping whose `from` (records of a model) or `to` (an action's input)
 * names a field the schema does not have, such as `buyer.emial`.
 *
 * The answer is `missing` only when the schema rules the path out for every value it accepts;
 * whenever the schema cannot tell (records, any / unknown, objects that keep unknown keys,
 * unions whose options disagree, lazy, custom, transforms…) it is `unknown`, so a mapping is
 * never refused for a path the data might have. Only zod's public introspection is used
 * (`schema._zod.def`).
 */
import type { z } from 'zod';

/** Which side of a schema the data is: what it gives (`output`, records as stored) or takes (`input`). */
export type SchemaSide = 'output' | 'input';

/** A zod (v4) schema, classic or mini. */
export type PathSchema = z.core.$ZodType;

/** Where a path stops existing. */
export interface MissingPath {
  status: 'missing';
  /** The longest prefix of the path that exists (empty: the root). */
  prefix: readonly string[];
  /** The first segment that cannot exist there. */
  segment: string;
  /** What is at the prefix: `object`, `array`, `tuple`, or a leaf type (`string`, `number`, `null`…). */
  found: string;
  /** The keys available at the prefix: an object's keys or a tuple's indexes; empty for others. */
  available: readonly string[];
}

/** The answer for one path. */
export type SchemaPathResult = { status: 'exists' } | { status: 'unknown' } | MissingPath;

const EXISTS: SchemaPathResult = { status: 'exists' };
const UNKNOWN: SchemaPathResult = { status: 'unknown' };
const INDEX = /^(0|[1-9][0-9]*)$/;
// Schemas that accept no container at all: union options of these are ignored for paths, as
// `nullable()` is (a path through null reads nothing but can exist when the value is present).
const EMPTY_TYPES = new Set(['null', 'undefined', 'void', 'never']);

/**
 * Checks `segments` against `schema` (or several schemas of the same data, e.g. a model that
 * several syncs declare: treated as a union). Numeric segments index arrays and tuples.
 */
export function checkSchemaPath(
  schema: PathSchema | readonly PathSchema[],
  segments: readonly string[],
  options: { side?: SchemaSide } = {},
): SchemaPathResult {
  const side = options.side ?? 'output';
  const schemas = Array.isArray(schema) ? (schema as readonly PathSchema[]) : [schema as PathSchema];
  return combineOptions(
    schemas.map((option) => walk(option, segments, 0, side)),
    segments,
    0,
  );
}

function missing(
  segments: readonly string[],
  at: number,
  found: string,
  available: readonly string[] = [],
): MissingPath {
  return { status: 'missing', prefix: segments.slice(0, at), segment: segments[at]!, found, available };
}

function walk(
  schema: PathSchema,
  segments: readonly string[],
  at: number,
  side: SchemaSide,
): SchemaPathResult {
  if (at >= segments.length) return EXISTS;
  // Not a zod v4 schema (a provider folder built with another library): nothing can be told.
  if (typeof (schema as Partial<PathSchema>)?._zod?.def?.type !== 'string') return UNKNOWN;
  const def = (schema as z.core.$ZodTypes)._zod.def;
  const segment = segments[at]!;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'readonly':
    case 'nonoptional':
    case 'default':
    case 'prefault':
    case 'catch':
      return walk(def.innerType, segments, at, side);
    case 'success':
      // Its output is a boolean; its input is the inner schema's.
      return side === 'output' ? missing(segments, at, 'boolean') : walk(def.innerType, segments, at, side);
    case 'pipe':
      return walk(side === 'output' ? def.out : def.in, segments, at, side);
    case 'object': {
      const { shape, catchall } = def;
      if (Object.hasOwn(shape, segment)) return walk(shape[segment]!, segments, at + 1, side);
      // A loose object or one with a catchall may hold any other key; a strip or strict one not.
      if (catchall && catchall._zod?.def?.type !== 'never') return UNKNOWN;
      return missing(segments, at, 'object', Object.keys(shape));
    }
    case 'array':
      return INDEX.test(segment) ? walk(def.element, segments, at + 1, side) : missing(segments, at, 'array');
    case 'tuple': {
      if (!INDEX.test(segment))
        return missing(
          segments,
          at,
          'tuple',
          def.items.map((_, index) => String(index)),
        );
      const index = Number(segment);
      if (index < def.items.length) return walk(def.items[index]!, segments, at + 1, side);
      if (def.rest) return walk(def.rest, segments, at + 1, side);
      return missing(
        segments,
        at,
        'tuple',
        def.items.map((_, position) => String(position)),
      );
    }
    case 'union':
      return combineOptions(
        def.options
          .filter((option) => !EMPTY_TYPES.has((option as Partial<PathSchema>)._zod?.def?.type ?? ''))
          .map((option) => walk(option, segments, at, side)),
        segments,
        at,
      );
    case 'intersection': {
      // Both sides parse the same data and their results are merged: a key of either is there.
      const results = [walk(def.left, segments, at, side), walk(def.right, segments, at, side)];
      if (results.some((result) => result.status === 'exists')) return EXISTS;
      if (results.some((result) => result.status === 'unknown')) return UNKNOWN;
      return mergeMissing(results as MissingPath[]);
    }
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'symbol':
    case 'date':
    case 'enum':
    case 'literal':
    case 'nan':
    case 'template_literal':
    case 'null':
    case 'undefined':
    case 'void':
    case 'never':
    case 'file':
      // Leaves: nothing is below them (a date is stored as ISO text).
      return missing(segments, at, def.type);
    default:
      // record, any, unknown, lazy, custom, transform, map, set, promise, function, and any
      // schema type a later zod adds: the shape below cannot be told.
      return UNKNOWN;
  }
}

/**
 * The answer for data that matches one of several schemas: missing only when missing in every
 * one (none at all: nothing can be there), exists when it exists in every one, else unknown.
 */
function combineOptions(results: readonly SchemaPathResult[], segments: readonly string[], at: number) {
  if (results.length === 0) return missing(segments, at, 'null');
  if (results.every((result) => result.status === 'missing')) return mergeMissing(results as MissingPath[]);
  if (results.every((result) => result.status === 'exists')) return EXISTS;
  return UNKNOWN;
}

// The deepest break, with the keys every schema breaking there offers (each listed once).
function mergeMissing(results: readonly MissingPath[]): MissingPath {
  const depth = Math.max(...results.map((result) => result.prefix.length));
  const deepest = results.filter((result) => result.prefix.length === depth);
  const first = deepest[0]!;
  if (deepest.length === 1) return first;
  const found = new Set(deepest.map((result) => result.found));
  return {
    ...first,
    found: found.size === 1 ? first.found : [...found].join(' or '),
    available: [...new Set(deepest.flatMap((result) => result.available))],
  };
}

/**
 * A sentence naming the path, where it breaks and what is available there, for error messages:
 * `"buyer.emial" cannot exist in the sales model: buyer has no key "emial" (its keys: email, id, name)`
 * (`subject`: what the schema describes, here `the sales model`).
 */
export function describeMissingPath(path: string, result: MissingPath, subject?: string): string {
  const where = result.prefix.length === 0 ? 'the top level' : result.prefix.join('.');
  const head = `"${path}" cannot exist${subject ? ` in ${subject}` : ''}:`;
  switch (result.found) {
    case 'object': {
      const keys = result.available.length > 0 ? result.available.join(', ') : 'none';
      return `${head} ${where} has no key "${result.segment}" (its keys: ${keys})`;
    }
    case 'array':
      return `${head} ${where} is an array, so "${result.segment}" must be an index (0, 1, …)`;
    case 'tuple': {
      const indexes = result.available.length > 0 ? result.available.join(', ') : 'none';
      return `${head} ${where} is a tuple without element "${result.segment}" (its indexes: ${indexes})`;
    }
    default: {
      const keys =
        result.available.length > 0 ? ` (keys available there: ${result.available.join(', ')})` : '';
      return `${head} ${where} is ${article(result.found)}, which has no "${result.segment}"${keys}`;
    }
  }
}

function article(found: string): string {
  return /^[aeiou]/.test(found) ? `an ${found}` : `a ${found}`;
}
