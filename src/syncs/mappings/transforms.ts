/**
 * Field transforms, compiled once per mapping. A transform returns the converted value or
 * INVALID; the mapper decides what a failure means (null on read, an issue on action input).
 */
import type { FieldTransform } from './schema.ts';

/** Returned by a transform that cannot convert its value. */
export const INVALID: unique symbol = Symbol('invalid');

/** A compiled transform: the conversion and what it expects, for issue messages. */
export interface CompiledTransform {
  apply(value: unknown): unknown;
  /** `a date`, `a number`…: completes "expected …". */
  expected: string;
}

// Epoch numbers below this are seconds, above it milliseconds: 1e11 s is the year 5138, while
// 1e11 ms is March 1973, earlier than any provider's data that carries epoch milliseconds.
const SECONDS_BELOW = 1e11;
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// ISO date-times without an offset: Date.parse would read them in the server's time zone, so
// the same record would map differently on different machines. They are read as UTC.
const ISO_WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

function toEpochMs(value: unknown): number | typeof INVALID {
  let ms: number;
  if (typeof value === 'number') {
    ms = Math.abs(value) < SECONDS_BELOW ? value * 1000 : value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return INVALID;
    if (NUMERIC.test(text)) return toEpochMs(Number(text));
    ms = Date.parse(ISO_WITHOUT_OFFSET.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  } else {
    return INVALID;
  }
  // Date's own range: ±8.64e15 ms around 1970.
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? Math.trunc(ms) : INVALID;
}

function toNumber(value: unknown): number | typeof INVALID {
  if (typeof value === 'number') return Number.isFinite(value) ? value : INVALID;
  if (typeof value === 'string') {
    const text = value.trim();
    return NUMERIC.test(text) ? Number(text) : INVALID;
  }
  return INVALID;
}

/**
 * Rounds half away from zero at `decimals` places as the decimal value reads (1.005 → 1.01):
 * the product is nudged up by one unit in the last place, which absorbs binary noise such as
 * 1.005 * 100 = 100.49999999999999 without string conversions (this runs per record).
 */
function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const shifted = Math.abs(value) * factor;
  if (!Number.isFinite(shifted) || shifted >= Number.MAX_SAFE_INTEGER) return value;
  const rounded = Math.round(shifted * (1 + Number.EPSILON)) / factor;
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

const TRUE = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE = new Set(['false', '0', 'no', 'n', 'off']);

/** Compiles a transform once; its `apply` runs per record. */
export function compileTransform(transform: FieldTransform): CompiledTransform {
  switch (transform.type) {
    case 'date': {
      const format = transform.format;
      return {
        expected: 'a date (ISO 8601 or RFC 2822 text, or epoch seconds or milliseconds)',
        apply(value) {
          const ms = toEpochMs(value);
          if (ms === INVALID) return INVALID;
          if (format === 'unix_ms') return ms;
          if (format === 'unix') return Math.floor(ms / 1000);
          const iso = new Date(ms).toISOString();
          return format === 'iso' ? iso : iso.slice(0, 10);
        },
      };
    }
    case 'number': {
      const { format, scale, decimals } = transform;
      // A scale like 0.01 is applied as a division by 100, which is exact where the product is
      // not (1999 * 0.01 is 19.990000000000002; 1999 / 100 is 19.99).
      const inverse = scale === undefined ? undefined : 1 / scale;
      const divisor =
        inverse !== undefined && inverse > 1 && Math.abs(inverse - Math.round(inverse)) < 1e-9
          ? Math.round(inverse)
          : undefined;
      return {
        expected: 'a number',
        apply(value) {
          const number = toNumber(value);
          if (number === INVALID) return INVALID;
          // toPrecision(15) drops binary noise of other products: 19.99 * 100 is 1998.9999999999998.
          const scaled =
            scale === undefined
              ? number
              : divisor !== undefined
                ? number / divisor
                : Number((number * scale).toPrecision(15));
          if (!Number.isFinite(scaled)) return INVALID;
          if (format === 'integer') return roundTo(scaled, 0);
          return decimals === undefined ? scaled : roundTo(scaled, decimals);
        },
      };
    }
    case 'string':
      return {
        expected: 'text, a number or a boolean',
        apply(value) {
          if (typeof value === 'string') return value;
          if (typeof value === 'number') return Number.isFinite(value) ? String(value) : INVALID;
          if (typeof value === 'boolean') return String(value);
          return INVALID;
        },
      };
    case 'boolean':
      return {
        expected: 'a boolean (true/false, 1/0, yes/no)',
        apply(value) {
          if (typeof value === 'boolean') return value;
          if (value === 1 || value === 0) return value === 1;
          if (typeof value === 'string') {
            const text = value.trim().toLowerCase();
            if (TRUE.has(text)) return true;
            if (FALSE.has(text)) return false;
          }
          return INVALID;
        },
      };
  }
}
