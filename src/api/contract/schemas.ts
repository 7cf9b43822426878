import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../../errors/index.ts';
import { ID_PREFIXES, type IdKind } from '../../ids/prefixes.ts';

/**
 * Building blocks shared by every resource's contract. Schemas given an `id` in their metadata
 * become named components of the OpenAPI document.
 */

const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** The one error body of the API. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).meta({ description: 'Stable, machine-readable; branch on it.' }),
      message: z.string().meta({ description: 'For people: what went wrong and how to fix it.' }),
      details: z.unknown().optional().meta({ description: 'Structured data, e.g. the fields that failed.' }),
      requestId: z.string().optional().meta({ description: 'Quote it when reporting a problem.' }),
    }),
  })
  .meta({ id: 'Error', description: 'Every error response has this shape.' });

export type ErrorBody = z.output<typeof errorBodySchema>;

/**
 * An instant as ISO 8601 in UTC, e.g. `2026-01-01T00:00:00.000Z`. Documented as `date-time`
 * rather than validated by pattern: the server makes these with toISOString().
 */
export const timestamp = z.string().meta({ format: 'date-time', example: '2026-01-01T00:00:00.000Z' });

const idKinds = new WeakMap<z.ZodType, IdKind>();

/**
 * A path parameter holding an id of `kind`. Its shape is checked by the server with parseId
 * (400 `invalid_id`, not a validation error), so a wrong id says which kind was expected.
 */
export function idParam(kind: IdKind) {
  const schema = z.string().meta({
    description: `The ${kind} id: \`${ID_PREFIXES[kind]}_\` followed by 26 base32 characters.`,
    example: `${ID_PREFIXES[kind]}_01jz8x7y6w5v4t3s2r1q0p9n8m`,
  });
  idKinds.set(schema, kind);
  return schema;
}

/** The id kind of a parameter schema made with idParam(), if it is one. */
export function idKindOf(schema: unknown): IdKind | undefined {
  return typeof schema === 'object' && schema !== null ? idKinds.get(schema as z.ZodType) : undefined;
}

/** A list answer: `{ data: [...] }`, leaving room for pagination fields beside `data`. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item) });
}

/** Cursor paging, the query side: `after` an id of the listed kind (oldest first). */
export function cursorAfter(what: string) {
  return z
    .string()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: `${/^[aeiou]/i.test(what) ? 'An' : 'A'} ${what} id: results after it.` });
}

/** Cursor paging, the query side: how many per page. */
export const pageLimit = z.coerce
  .number<string | number>()
  .int()
  .min(1)
  .max(200)
  .optional()
  .meta({ description: 'Default 50, at most 200.' });

/** Cursor paging, the answer: a page of items and the cursor of the next one. */
export function pageOf<T extends z.ZodType>(item: T) {
  return listOf(item).extend({
    nextAfter: z.string().nullable().meta({ description: 'The cursor of the next page; null on the last.' }),
  });
}

/** An instant given in a query (`since`, `until`). */
export const instant = z
  .string()
  .min(1)
  .max(40)
  .meta({ format: 'date-time', example: '2026-01-01T00:00:00.000Z' });
