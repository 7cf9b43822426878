/**
 * Compiles a mapping into a function that maps one object. Compilation (parsing the schema,
 * splitting paths, building transforms) happens once; the returned function runs per record, so
 * it only walks precomputed arrays and never throws on read.
 */
import { PatchbayError } from '../../errors/index.ts';
import { type PathSegments, readPath, removePath, writePath } from './paths.ts';
import { type Mapping, type MappingInput, type MappingIssue, parseMapping } from './schema.ts';
import { type CompiledTransform, compileTransform, INVALID } from './transforms.ts';

/** An object a mapping applies to: a record, or an action's input. */
export type MappedData = Record<string, unknown>;

/** A compiled mapping: maps one object to a new one (the input is never modified). */
export type FieldMapper = (data: MappedData) => MappedData;

/** The outcome of mapping an action's input: the mapped input, or the fields that failed. */
export type InputMapResult = { ok: true; data: MappedData } | { ok: false; issues: MappingIssue[] };

interface CompiledField {
  fromPath: string;
  from: PathSegments;
  to: PathSegments;
  hasDefault: boolean;
  defaultValue: unknown;
  /** Object and array defaults are copied per use, so one record cannot change another's. */
  copyDefault: boolean;
  transform: CompiledTransform | null;
}

interface CompiledMapping {
  fields: CompiledField[];
  keepUnmapped: boolean;
  /** Top-level keys read by some field: left out of the pass-through copy. */
  consumedKeys: ReadonlySet<string>;
  /** Nested paths read by some field: removed from the pass-through copy. */
  consumedPaths: PathSegments[];
}

function compile(input: Mapping | MappingInput): CompiledMapping {
  const parsed = parseMapping(input);
  if (!parsed.ok) {
    throw new PatchbayError(
      'mapping_invalid',
      describeIssues('The field mapping is invalid', parsed.issues),
      {
        details: { issues: parsed.issues },
      },
    );
  }
  const { mapping } = parsed;
  const consumedKeys = new Set<string>();
  const consumedPaths: PathSegments[] = [];
  const fields = mapping.fields.map((field): CompiledField => {
    const from = field.from.split('.');
    if (from.length === 1) consumedKeys.add(from[0]!);
    else consumedPaths.push(from);
    return {
      fromPath: field.from,
      from,
      to: field.to.split('.'),
      hasDefault: field.default !== undefined && field.default !== null,
      defaultValue: field.default,
      copyDefault: typeof field.default === 'object' && field.default !== null,
      transform: field.transform ? compileTransform(field.transform) : null,
    };
  });
  return { fields, keepUnmapped: mapping.keepUnmapped, consumedKeys, consumedPaths };
}

/** "message: path: issue (and n more)", for error messages; details carry the full list. */
export function describeIssues(message: string, issues: readonly MappingIssue[]): string {
  const first = issues[0];
  if (!first) return message;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${message}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
}

function isPlainObject(value: unknown): value is MappedData {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The pass-through part of the result: everything no field reads. */
function unmappedOf(compiled: CompiledMapping, data: MappedData): MappedData {
  const out: MappedData = {};
  if (!compiled.keepUnmapped) return out;
  for (const key of Object.keys(data)) {
    if (compiled.consumedKeys.has(key)) continue;
    // A JSON `__proto__` key is an own property; plain assignment would set the prototype instead.
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: data[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = data[key];
    }
  }
  for (const path of compiled.consumedPaths) removePath(out, path);
  return out;
}

function sourceValue(field: CompiledField, data: MappedData): unknown {
  const value = readPath(data, field.from);
  if ((value === undefined || value === null) && field.hasDefault) {
    return field.copyDefault ? structuredClone(field.defaultValue) : field.defaultValue;
  }
  return value;
}

/**
 * Compiles `mapping` for reading records (kind `model`): each field reads `from`, takes its
 * default when the value is missing or null, transforms it and writes `to`. With `keepUnmapped`
 * the fields no mapping reads pass through (a field read by a mapping is removed unless a
 * mapping writes it back). A value a transform cannot convert becomes null: a record always
 * stays readable. A missing value without default is left out; a null one stays null.
 * Throws `mapping_invalid` (with `details.issues`) for an invalid mapping.
 */
export function createMapper(mapping: Mapping | MappingInput): FieldMapper {
  const compiled = compile(mapping);
  return (data) => {
    if (!isPlainObject(data)) return data;
    const out = unmappedOf(compiled, data);
    for (const field of compiled.fields) {
      let value = sourceValue(field, data);
      if (value === undefined) continue;
      if (value !== null && field.transform) {
        value = field.transform.apply(value);
        if (value === INVALID) value = null;
      }
      writePath(out, field.to, value);
    }
    return out;
  };
}

/**
 * Compiles `mapping` for an action's input (kind `action`): the same semantics as createMapper,
 * but a value a transform cannot convert is an issue at the host's field path (`from`), so the
 * caller can answer 400 `action_input_invalid`. Throws `mapping_invalid` for an invalid mapping.
 */
export function createInputMapper(mapping: Mapping | MappingInput): (data: unknown) => InputMapResult {
  const compiled = compile(mapping);
  return (data) => {
    if (!isPlainObject(data)) return { ok: false, issues: [{ path: '', message: 'expected an object' }] };
    const out = unmappedOf(compiled, data);
    const issues: MappingIssue[] = [];
    for (const field of compiled.fields) {
      let value = sourceValue(field, data);
      if (value === undefined) continue;
      if (value !== null && field.transform) {
        value = field.transform.apply(value);
        if (value === INVALID) {
          issues.push({ path: field.fromPath, message: `expected ${field.transform.expected}` });
          continue;
        }
      }
      writePath(out, field.to, value);
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, data: out };
  };
}

/**
 * An action-input mapper with the FieldMapper signature: throws `action_input_invalid` with
 * `details.issues` (the host's field paths) when a value cannot be converted.
 */
export function createActionInputMapper(mapping: Mapping | MappingInput): FieldMapper {
  const map = createInputMapper(mapping);
  return (data) => {
    const result = map(data);
    if (result.ok) return result.data;
    throw new PatchbayError(
      'action_input_invalid',
      describeIssues('The action input is invalid', result.issues),
      {
        details: { issues: result.issues },
      },
    );
  };
}
