/**
 * Typed reading of decoded Stripe parameters, with Stripe's answers for what it refuses: a
 * missing required parameter (`parameter_missing`), an integer that is not one
 * (`parameter_invalid_integer`), an empty string where nothing may be unset
 * (`parameter_invalid_empty`), a value outside an enum, and — once the handler has read what it
 * knows — any parameter left over (`parameter_unknown`), so a misspelt field fails as it would
 * at Stripe instead of being silently ignored.
 */
import { invalidRequest, parameterMissing, parameterUnknown, type StripeApiError } from './errors.ts';
import type { FormObject, FormValue } from './form.ts';
import { type MetadataUpdate, readMetadata } from './metadata.ts';

export { applyMetadata, type MetadataUpdate } from './metadata.ts';

/** A `created[gt|gte|lt|lte]` filter in seconds (a bare integer means equal). */
export interface Range {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

interface Consumption {
  /** Full names read as a whole (their contents need no further check). */
  whole: Set<string>;
  /** Full names of containers the handler looked inside. */
  entered: Set<string>;
}

export class Params {
  readonly #tree: FormObject;
  readonly #prefix: string;
  readonly #used: Consumption;

  constructor(tree: FormObject, prefix = '', used: Consumption = { whole: new Set(), entered: new Set() }) {
    this.#tree = tree;
    this.#prefix = prefix;
    this.#used = used;
  }

  /** Where these parameters were sent: `''` at the top, `line_items[0]` for a nested hash. */
  get path(): string {
    return this.#prefix;
  }

  /** The full parameter name, as Stripe reports it in `param`: `line_items[0][price]`. */
  name(key: string): string {
    return this.#prefix === '' ? key : `${this.#prefix}[${key}]`;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#tree, key);
  }

  /** What was sent under `key`, without reading it. */
  kind(key: string): 'string' | 'object' | 'array' | undefined {
    if (!this.has(key)) return undefined;
    const value = this.#tree[key];
    if (typeof value === 'string') return 'string';
    return Array.isArray(value) ? 'array' : 'object';
  }

  /** A nested hash that an empty string unsets (`address=`): null then, else its reader. */
  nullableObject(key: string): Params | null | undefined {
    if (this.kind(key) === 'string' && this.string(key) === '') return null;
    return this.object(key);
  }

  #take(key: string): FormValue | undefined {
    if (!this.has(key)) return undefined;
    this.#used.whole.add(this.name(key));
    return this.#tree[key];
  }

  string(key: string): string | undefined {
    const value = this.#take(key);
    if (value === undefined || typeof value === 'string') return value;
    throw invalidRequest(`Invalid string: ${JSON.stringify(value)}`, { param: this.name(key) });
  }

  /** Required and not empty. */
  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined) throw parameterMissing(this.name(key));
    if (value === '') throw emptyValue(this.name(key));
    return value;
  }

  /** An empty string unsets the field (null), as in Stripe's update calls. */
  nullableString(key: string): string | null | undefined {
    const value = this.string(key);
    return value === '' ? null : value;
  }

  integer(key: string): number | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value === '') throw emptyValue(this.name(key));
    const number = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number)) {
      throw invalidRequest(`Invalid integer: ${value}`, {
        code: 'parameter_invalid_integer',
        param: this.name(key),
      });
    }
    return number;
  }

  requiredInteger(key: string): number {
    const value = this.integer(key);
    if (value === undefined) throw parameterMissing(this.name(key));
    return value;
  }

  /** An integer that must be at least `min` (amounts, quantities, days). */
  nonNegative(key: string, min = 0): number | undefined {
    const value = this.integer(key);
    if (value !== undefined && value < min) {
      throw invalidRequest(`This value must be greater than or equal to ${min}.`, { param: this.name(key) });
    }
    return value;
  }

  /** A decimal string such as `unit_amount_decimal=12.5`. */
  decimal(key: string): string | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!/^-?\d+(\.\d+)?$/.test(value)) {
      throw invalidRequest(`Invalid decimal: ${value}`, { param: this.name(key) });
    }
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw invalidRequest(`Invalid boolean: ${value}`, { param: this.name(key) });
  }

  enumeration<T extends string>(key: string, values: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if ((values as readonly string[]).includes(value)) return value as T;
    throw invalidRequest(`Invalid ${key}: must be one of ${values.join(', ')}`, { param: this.name(key) });
  }

  /** Metadata with Stripe's limits (see metadata.ts); null clears it, a null value removes a key. */
  metadata(key = 'metadata'): MetadataUpdate | undefined {
    const value = this.#take(key);
    return value === undefined ? undefined : readMetadata(value, this.name(key));
  }

  /** A nested hash (`price_data[…]`); its keys must be read in turn. */
  object(key: string): Params | undefined {
    if (!this.has(key)) return undefined;
    const value = this.#tree[key];
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw invalidRequest(`Invalid object`, { param: this.name(key) });
    }
    this.#used.entered.add(this.name(key));
    return new Params(value, this.name(key), this.#used);
  }

  /** A list of hashes, sent as `items[0][…]` (the SDK's way) or `items[][…]`. */
  list(key: string): Params[] | undefined {
    const elements = this.#elements(key);
    if (elements === undefined) return undefined;
    this.#used.entered.add(this.name(key));
    return elements.map(([index, value]) => {
      const name = `${this.name(key)}[${index}]`;
      if (typeof value !== 'object' || Array.isArray(value))
        throw invalidRequest('Invalid object', { param: name });
      this.#used.entered.add(name);
      return new Params(value, name, this.#used);
    });
  }

  /** A list of strings (`expand[]=a`, `types[0]=b`). */
  stringList(key: string): string[] | undefined {
    const elements = this.#elements(key);
    if (elements === undefined) return undefined;
    this.#used.whole.add(this.name(key));
    return elements.map(([index, value]) => {
      if (typeof value === 'string') return value;
      throw invalidRequest(`Invalid string: ${JSON.stringify(value)}`, {
        param: `${this.name(key)}[${index}]`,
      });
    });
  }

  #elements(key: string): [string, FormValue][] | undefined {
    if (!this.has(key)) return undefined;
    const value = this.#tree[key];
    if (value === '') return [];
    if (Array.isArray(value)) return value.map((item, index) => [String(index), item]);
    if (typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.every(([index]) => /^\d+$/.test(index))) {
        return entries.sort(([a], [b]) => Number(a) - Number(b));
      }
    }
    throw invalidRequest('Invalid array', { param: this.name(key) });
  }

  /** `created=…` or `created[gte]=…` and its siblings, in seconds. */
  range(key: string): Range | undefined {
    if (!this.has(key)) return undefined;
    if (typeof this.#tree[key] === 'string') {
      const at = this.integer(key) as number;
      return { gte: at, lte: at };
    }
    const bounds = this.object(key) as Params;
    const range: Range = {};
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      const value = bounds.integer(op);
      if (value !== undefined) range[op] = value;
    }
    return range;
  }

  /** Refuses the first parameter nobody read, as Stripe does. */
  done(): void {
    const unknown = this.#firstUnread(this.#tree, this.#prefix);
    if (unknown !== undefined) throw parameterUnknown(unknown);
  }

  #firstUnread(tree: FormObject | FormValue[], prefix: string): string | undefined {
    const entries: [string, FormValue][] = Array.isArray(tree)
      ? tree.map((value, index) => [String(index), value])
      : Object.entries(tree);
    for (const [key, value] of entries) {
      const name = prefix === '' ? key : `${prefix}[${key}]`;
      if (this.#used.whole.has(name)) continue;
      if (typeof value === 'string' || !this.#used.entered.has(name)) return name;
      const inner = this.#firstUnread(value, name);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
}

function emptyValue(param: string): StripeApiError {
  return invalidRequest(
    `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
    { code: 'parameter_invalid_empty', param },
  );
}
