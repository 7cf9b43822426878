/**
 * The depth limit (MAX_JSON_DEPTH) for records, read from the model's zod schema once instead of
 * from every record. A record is the schema's output, so where the schema fixes the shape — an
 * object strips unknown keys, an array holds its element — it also fixes how deep the output can
 * nest, and no record of it needs walking. Only the places where the schema lets a value through
 * as it came (`z.unknown()`, `z.looseObject`, a transform, a lazy or custom schema) are walked,
 * with what is left of the limit there. The bench's orders model is fixed all the way down, so
 * its records cost nothing; Gumroad's sales walk only their `customFields`.
 *
 * This reads the schema's definition (`schema._zod.def`, zod 4's introspection surface for
 * library authors). Anything it does not recognise counts as letting values through, so an
 * unknown kind of schema costs a walk, never a missed check. Refinements do not change a value;
 * `overwrite` checks (`.trim()`, or a host's own) may, so a schema with one is walked too.
 */
import { valueTooDeep } from '../../values/json-depth.ts';

/** True when `value` — an output of the schema the check was made for — nests deeper than `maxDepth`. */
export type DepthCheck = (value: unknown, maxDepth: number) => boolean;

/** A schema as far as this module reads it: zod 4's `_zod.def`. */
interface Schema {
  _zod: { def: Def };
}

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: { check: string } } }>;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  items?: Schema[];
  rest?: Schema | null;
  valueType?: Schema;
  options?: Schema[];
  left?: Schema;
  right?: Schema;
  innerType?: Schema;
  out?: Schema;
  defaultValue?: unknown;
}

/** Kinds whose output is a scalar, or a value JSON.stringify and valueTooDeep treat as one. */
const LEAVES = new Set([
  'string',
  'number',
  'int',
  'boolean',
  'bigint',
  'symbol',
  'null',
  'undefined',
  'void',
  'never',
  'nan',
  'literal',
  'enum',
  'template_literal',
  'date',
  'success',
]);

/** Kinds whose output is their inner schema's. */
const WRAPPERS = new Set(['optional', 'nullable', 'nonoptional', 'readonly', 'prefault']);

const walk: DepthCheck = (value, maxDepth) => valueTooDeep(value, maxDepth);
const checks = new WeakMap<object, DepthCheck>();
// A sync saves runs of records of one model: the last schema's check is found without a lookup.
let last: { schema: unknown; check: DepthCheck } = { schema: undefined, check: walk };

/** The depth check for outputs of `schema` (made once per schema, then cached). */
export function depthCheckFor(schema: unknown): DepthCheck {
  if (schema === last.schema) return last.check;
  if (!isSchema(schema)) return walk;
  let check = checks.get(schema);
  if (!check) {
    check = compile(schema, { bounds: new Map(), compiling: new Set() });
    checks.set(schema, check);
  }
  last = { schema, check };
  return check;
}

/**
 * How deeply an output of `schema` can nest (a container counts 1 plus its deepest child), or
 * Infinity when the schema does not bound it. `bounds` memoizes, and holds Infinity for a schema
 * whose bound is being computed, so a recursive schema is unbounded rather than endless.
 */
export function outputDepthBound(schema: unknown, bounds: Map<Schema, number> = new Map()): number {
  if (!isSchema(schema)) return Infinity;
  const known = bounds.get(schema);
  if (known !== undefined) return known;
  bounds.set(schema, Infinity);
  const bound = computeBound(schema._zod.def, bounds);
  bounds.set(schema, bound);
  return bound;
}

function computeBound(def: Def, bounds: Map<Schema, number>): number {
  if (def.checks?.some((check) => check._zod.def.check === 'overwrite')) return Infinity;
  const of = (schema: Schema | null | undefined) =>
    schema === undefined || schema === null ? 0 : outputDepthBound(schema, bounds);
  if (LEAVES.has(def.type)) return 0;
  if (WRAPPERS.has(def.type)) return outputDepthBound(def.innerType, bounds);
  switch (def.type) {
    case 'object':
      return 1 + Math.max(0, ...Object.values(def.shape ?? {}).map(of), of(def.catchall));
    case 'array':
      return 1 + outputDepthBound(def.element, bounds);
    case 'tuple':
      return 1 + Math.max(0, ...(def.items ?? []).map(of), of(def.rest));
    case 'record':
      return 1 + outputDepthBound(def.valueType, bounds);
    case 'map':
    case 'set':
      // Neither JSON.stringify nor the walk looks inside them: `{}`, one level.
      return 1;
    case 'union':
      return Math.max(0, ...(def.options ?? []).map((option) => outputDepthBound(option, bounds)));
    case 'intersection':
      return Math.max(outputDepthBound(def.left, bounds), outputDepthBound(def.right, bounds));
    case 'pipe':
      return outputDepthBound(def.out, bounds);
    case 'default':
      // The default is returned as written, not parsed: a scalar one adds nothing.
      return isScalar(def.defaultValue) ? outputDepthBound(def.innerType, bounds) : Infinity;
    default:
      // any, unknown, transform, catch, lazy, custom, function, promise, file…: values as they came.
      return Infinity;
  }
}

interface Compiling {
  bounds: Map<Schema, number>;
  /** Schemas being compiled: met again (a recursive schema), they are walked. */
  compiling: Set<Schema>;
}

function compile(schema: Schema, state: Compiling): DepthCheck {
  const bound = outputDepthBound(schema, state.bounds);
  // A shallow enough schema proves every output of it; a deeper one still walks the actual value.
  if (bound !== Infinity) return (value, maxDepth) => bound > maxDepth && valueTooDeep(value, maxDepth);
  if (state.compiling.has(schema)) return walk;
  state.compiling.add(schema);
  try {
    return compileOpen(schema._zod.def, state);
  } finally {
    state.compiling.delete(schema);
  }
}

/** The check of a schema that does not bound its output: walk only where values pass as they came. */
function compileOpen(def: Def, state: Compiling): DepthCheck {
  if (def.checks?.some((check) => check._zod.def.check === 'overwrite')) return walk;
  if (WRAPPERS.has(def.type) && isSchema(def.innerType)) return compile(def.innerType, state);
  if (def.type === 'pipe' && isSchema(def.out)) return compile(def.out, state);
  if (def.type === 'object' && def.shape !== undefined) return compileObject(def, state);
  if (def.type === 'array' && isSchema(def.element)) return compileItems(def.element, state);
  if (def.type === 'record' && isSchema(def.valueType)) return compileItems(def.valueType, state);
  return walk;
}

/** An object whose unbounded fields are checked one by one, each with one level less. */
function compileObject(def: Def, state: Compiling): DepthCheck {
  const { bounds } = state;
  if (def.catchall !== undefined && outputDepthBound(def.catchall, bounds) === Infinity) return walk;
  let fixed = def.catchall === undefined ? 0 : outputDepthBound(def.catchall, bounds);
  const open: Array<[string, DepthCheck]> = [];
  for (const [key, field] of Object.entries(def.shape ?? {})) {
    const fieldBound = outputDepthBound(field, bounds);
    if (fieldBound === Infinity) open.push([key, compile(field, state)]);
    else fixed = Math.max(fixed, fieldBound);
  }
  return (value, maxDepth) => {
    if (!isPlainObject(value) || 1 + fixed > maxDepth) return valueTooDeep(value, maxDepth);
    for (const [key, check] of open) {
      if (Object.hasOwn(value, key) && check(value[key], maxDepth - 1)) return true;
    }
    return false;
  };
}

/** An array's elements or a record's values, each checked with one level less. */
function compileItems(item: Schema, state: Compiling): DepthCheck {
  const check = compile(item, state);
  return (value, maxDepth) => {
    const items = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : null;
    if (items === null) return valueTooDeep(value, maxDepth);
    if (maxDepth < 1) return true;
    for (const entry of items) if (check(entry, maxDepth - 1)) return true;
    return false;
  };
}

function isSchema(value: unknown): value is Schema {
  const zod = (value as { _zod?: { def?: { type?: unknown } } } | null)?._zod;
  return typeof zod?.def?.type === 'string';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isScalar(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}
