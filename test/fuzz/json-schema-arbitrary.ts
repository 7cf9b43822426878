/**
 * JSON Schema (the OpenAPI 3.1 dialect zod emits) → fast-check arbitraries: values the schema
 * accepts, and hostile values near it (a required field missing, an unknown one added, a field of
 * the wrong type or out of bounds, hostile leaves). Engine-independent: it knows JSON Schema, not
 * Patchbay. No maintained package does this for fast-check 4 (json-schema-fast-check targets
 * fast-check 1, zod-fast-check zod 3), hence this small converter.
 */
import fc from 'fast-check';
import { deepNesting, hostileLeaf } from './hostile.ts';

export type JsonSchema = Record<string, unknown> | boolean;

export interface SchemaOptions {
  /** Resolves `$ref` (`#/components/schemas/X`). */
  resolve(ref: string): JsonSchema | undefined;
  /**
   * Extra candidates for a named property or parameter (known ids, names the engine has), mixed
   * in with what the schema alone would give; undefined for none.
   */
  hint?(name: string): fc.Arbitrary<unknown> | undefined;
  /** Longest huge string a hostile value may hold. */
  hugeMax: number;
  /** Whether hostile values include nesting thousands of levels deep. */
  deep: boolean;
}

const MAX_DEPTH = 4;

/** Values `schema` accepts (within the limits of formats and patterns fast-check can make). */
export function conforming(schema: JsonSchema, options: SchemaOptions, depth = 0): fc.Arbitrary<unknown> {
  if (schema === true || schema === false) return anyJson(depth);
  const s = dereference(schema, options);
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((alternative) => conforming(alternative, options, depth)));
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0)
    return conforming(s.allOf[0] as JsonSchema, options, depth);
  const examples = 'example' in s ? [fc.constant(s.example)] : [];
  const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : [];
  if (types.length === 0) {
    return s.properties ? objectOf(s, options, depth) : fc.oneof(...examples, anyJson(depth));
  }
  const byType = types.map((type) => typed(type, s, options, depth));
  return examples.length > 0
    ? fc.oneof({ weight: 1, arbitrary: examples[0]! }, { weight: 3, arbitrary: fc.oneof(...byType) })
    : fc.oneof(...byType);
}

/** Values near `schema` that it should refuse, or that stress what it accepts. */
export function hostile(schema: JsonSchema, options: SchemaOptions, depth = 0): fc.Arbitrary<unknown> {
  const leaf = hostileLeaf(options);
  if (schema === true || schema === false || depth >= MAX_DEPTH) return leaf;
  const s = dereference(schema, options);
  const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return fc.oneof(leaf, ...alternatives.map((alternative) => hostile(alternative, options, depth)));
  }
  const near: Array<fc.Arbitrary<unknown>> = [];
  if (s.type === 'object' || s.properties) near.push(hostileObject(s, options, depth));
  if (s.type === 'array') near.push(hostileArray(s, options, depth));
  if (s.type === 'string') near.push(hostileString(s));
  if (s.type === 'integer' || s.type === 'number') near.push(hostileNumber(s));
  if (Array.isArray(s.enum)) {
    near.push(
      fc
        .constantFrom(...(s.enum as unknown[]))
        .map((value) => (typeof value === 'string' ? `${value.toUpperCase()}\u0301` : value)),
    );
  }
  return near.length > 0 ? fc.oneof({ weight: 1, arbitrary: leaf }, ...near) : leaf;
}

function dereference(schema: Record<string, unknown>, options: SchemaOptions): Record<string, unknown> {
  let current = schema;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 10; hops++) {
    const target = options.resolve(current.$ref);
    if (target === undefined || typeof target === 'boolean') return {};
    current = target;
  }
  return current;
}

function anyJson(depth: number): fc.Arbitrary<unknown> {
  return fc.jsonValue({ maxDepth: Math.max(0, 3 - depth) });
}

function typed(
  type: string,
  s: Record<string, unknown>,
  options: SchemaOptions,
  depth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: bound(s, 'min', -1e9), max: bound(s, 'max', 1e9) });
    case 'number':
      return fc.double({
        min: bound(s, 'min', -1e9),
        max: bound(s, 'max', 1e9),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'string':
      return stringOf(s);
    case 'array':
      return depth >= MAX_DEPTH
        ? fc.constant([])
        : fc.array(conforming((s.items as JsonSchema | undefined) ?? true, options, depth + 1), {
            minLength: num(s.minItems) ?? 0,
            maxLength: Math.min(num(s.maxItems) ?? 4, (num(s.minItems) ?? 0) + 4),
          });
    case 'object':
      return objectOf(s, options, depth);
    default:
      return anyJson(depth);
  }
}

function bound(s: Record<string, unknown>, side: 'min' | 'max', fallback: number): number {
  const inclusive = num(side === 'min' ? s.minimum : s.maximum);
  if (inclusive !== undefined) return inclusive;
  const exclusive = num(side === 'min' ? s.exclusiveMinimum : s.exclusiveMaximum);
  if (exclusive !== undefined) return side === 'min' ? exclusive + 1 : exclusive - 1;
  return fallback;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringOf(s: Record<string, unknown>): fc.Arbitrary<string> {
  const min = num(s.minLength) ?? 0;
  const max = Math.max(min, Math.min(num(s.maxLength) ?? 40, min + 60));
  const fit = (text: string) => (text.length > max ? text.slice(0, max) : text.padEnd(min, 'x'));
  if (typeof s.pattern === 'string') {
    const matching = matchingPattern(s.pattern);
    if (matching) return matching.map(fit);
  }
  switch (s.format) {
    case 'date-time':
      return isoDate().map((date) => date.toISOString());
    case 'date':
      return isoDate().map((date) => date.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress().map(fit);
    case 'uuid':
      return fc.uuid();
    case 'uri':
    case 'url':
      return fc.webUrl().map(fit);
    default:
      // Plain words pass the engine's own checks (names, channels, event types) more often than
      // arbitrary unicode, which hostile values and the grapheme strings cover.
      return fc.oneof(
        { weight: 1, arbitrary: WORD.map(fit) },
        { weight: 1, arbitrary: DOTTED_WORDS.map(fit) },
        { weight: 1, arbitrary: fc.string({ maxLength: 60, unit: 'grapheme' }).map(fit) },
      );
  }
}

// Building a string arbitrary is costly in fast-check (it precomputes how to shrink common
// strings), so each is built once and only mapped per schema.
const WORD = fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}$/);
const DOTTED_WORDS = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}(\.[a-z0-9_]{1,8}){1,2}$/);
const byPattern = new Map<string, fc.Arbitrary<string> | null>();

/** Strings matching `pattern`, or null for a pattern JavaScript cannot compile. */
function matchingPattern(pattern: string): fc.Arbitrary<string> | null {
  if (!byPattern.has(pattern)) {
    let arbitrary: fc.Arbitrary<string> | null = null;
    try {
      arbitrary = fc.stringMatching(new RegExp(narrowNegatedClasses(pattern)));
    } catch {
      // Plain strings instead.
    }
    byPattern.set(pattern, arbitrary);
  }
  return byPattern.get(pattern)!;
}

/**
 * fast-check makes a negated class (`\S`, `\W`, `\D`) a filter over every character, and runs
 * its dictionary of common strings through that filter when it builds the arbitrary: seconds per
 * schema. Their printable ASCII subset makes values the pattern accepts just as well.
 */
function narrowNegatedClasses(pattern: string): string {
  return pattern.replaceAll('\\S', '[!-~]').replaceAll('\\W', '[!-/:-@]').replaceAll('\\D', '[a-z]');
}

function isoDate(): fc.Arbitrary<Date> {
  return fc.date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  });
}

function objectOf(s: Record<string, unknown>, options: SchemaOptions, depth: number): fc.Arbitrary<unknown> {
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, child] of Object.entries(properties)) {
    const fromSchema = depth >= MAX_DEPTH ? anyJson(MAX_DEPTH) : conforming(child, options, depth + 1);
    const hinted = options.hint?.(name);
    model[name] = hinted
      ? fc.oneof({ weight: 3, arbitrary: hinted }, { weight: 1, arbitrary: fromSchema })
      : fromSchema;
  }
  const known = fc.record(model, { requiredKeys: [...required].filter((name) => name in model) });
  const extra = s.additionalProperties;
  if (Object.keys(properties).length > 0 || extra === false || extra === undefined) return known;
  // A map: keys from propertyNames, values from additionalProperties.
  const keys = s.propertyNames ? conforming(s.propertyNames as JsonSchema, options, depth + 1) : fc.string();
  const values = conforming(extra as JsonSchema, options, depth + 1);
  return fc.dictionary(keys.map(String), values, { maxKeys: 5 });
}

function hostileObject(
  s: Record<string, unknown>,
  options: SchemaOptions,
  depth: number,
): fc.Arbitrary<unknown> {
  const properties = Object.keys((s.properties ?? {}) as Record<string, unknown>);
  const base = objectOf(s, options, depth).map((value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...value } : {},
  ) as fc.Arbitrary<Record<string, unknown>>;
  const mutations: Array<fc.Arbitrary<Record<string, unknown>>> = [
    // An unknown field, named oddly, holding anything.
    fc
      .tuple(
        base,
        fc.oneof(fc.constantFrom('__proto__', 'constructor', '', '\u0000', 'extra'), fc.string()),
        hostileLeaf(options),
      )
      .map(([value, name, bad]) => Object.defineProperty(value, name, { value: bad, enumerable: true })),
  ];
  const extra = s.additionalProperties;
  if (extra !== undefined && extra !== false) {
    // A map: hostile values under any keys.
    mutations.push(
      fc.dictionary(fc.string({ maxLength: 20 }), hostile(extra as JsonSchema, options, depth + 1), {
        minKeys: 1,
        maxKeys: 3,
      }),
    );
  }
  if (properties.length > 0) {
    const name = fc.constantFrom(...properties);
    // A field missing, or replaced by a hostile value for its schema.
    mutations.push(
      fc.tuple(base, name).map(([value, key]) => {
        delete value[key];
        return value;
      }),
    );
    const schemas = s.properties as Record<string, JsonSchema>;
    mutations.push(
      fc.oneof(
        ...properties.map((key) =>
          fc
            .tuple(base, hostile(schemas[key]!, options, depth + 1))
            .map(([value, bad]) => Object.assign(value, { [key]: bad })),
        ),
      ),
    );
  }
  if (!options.deep) return fc.oneof(...mutations);
  // A field nested thousands of levels deep: as likely as every other mutation together, since
  // the code that walks a value recursively (validation, serialization, copies) is where it breaks.
  const names = properties.length > 0 ? fc.constantFrom(...properties) : fc.string({ maxLength: 10 });
  const deep = fc
    .tuple(base, names, deepNesting)
    .map(([value, name, nested]) => Object.defineProperty(value, name, { value: nested, enumerable: true }));
  return fc.oneof({ weight: 1, arbitrary: fc.oneof(...mutations) }, { weight: 1, arbitrary: deep });
}

function hostileArray(
  s: Record<string, unknown>,
  options: SchemaOptions,
  depth: number,
): fc.Arbitrary<unknown> {
  const items = (s.items as JsonSchema | undefined) ?? true;
  const over = (num(s.maxItems) ?? 50) + 1;
  return fc.oneof(
    fc.array(hostile(items, options, depth + 1), { minLength: 1, maxLength: 3 }),
    conforming(items, options, depth + 1).map((item) => Array.from({ length: over }, () => item)),
  );
}

function hostileString(s: Record<string, unknown>): fc.Arbitrary<unknown> {
  const min = num(s.minLength) ?? 0;
  const max = num(s.maxLength);
  return fc.oneof(
    fc.constant('x'.repeat(Math.max(0, min - 1))),
    ...(max === undefined ? [] : [fc.constant('y'.repeat(max + 1))]),
    fc.constantFrom('1970-13-45T99:99:99Z', '2026-02-30', 'not a date', '+275760-09-13T00:00:00.001Z'),
  );
}

function hostileNumber(s: Record<string, unknown>): fc.Arbitrary<unknown> {
  const min = bound(s, 'min', 0);
  const max = bound(s, 'max', 100);
  return fc.constantFrom(min - 1, max + 1, min + 0.5, -0, Number.MAX_SAFE_INTEGER + 2, 1e308, `${min}`);
}
