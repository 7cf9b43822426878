/**
 * The field mapping schema: which provider field goes to which host field, with an optional
 * default and transform. Stored as JSON in `field_mappings.mapping`, one per connection and
 * model (applied to records on read) or action (applied to the host's input).
 */
import { z } from 'zod';
import { MAX_JSON_DEPTH, valueTooDeep } from '../../values/json-depth.ts';

/** Path segments that would reach an object's prototype: refused so a mapping cannot pollute it. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_PATH_LENGTH = 200;
const MAX_PATH_DEPTH = 10;

/** A dotted path into a JSON object: `buyer.email`, `items.0.price` (a number indexes an array). */
export const fieldPathSchema = z
  .string()
  // abort: a path that is empty or too long gets one issue, not a second from the checks below.
  .min(1, { abort: true })
  .max(MAX_PATH_LENGTH, { abort: true })
  .superRefine((path, context) => {
    const segments = path.split('.');
    if (segments.some((segment) => segment === '')) {
      context.addIssue({
        code: 'custom',
        message: `"${path}" has an empty segment (a leading, trailing or double dot)`,
      });
    } else if (segments.length > MAX_PATH_DEPTH) {
      context.addIssue({ code: 'custom', message: `"${path}" is deeper than ${MAX_PATH_DEPTH} segments` });
    } else if (segments.some((segment) => FORBIDDEN_SEGMENTS.has(segment))) {
      context.addIssue({
        code: 'custom',
        message: `"${path}" uses a reserved segment (__proto__, prototype, constructor)`,
      });
    }
  })
  .meta({ description: 'A dotted path: `buyer.email`, `items.0.price`.', example: 'buyer.email' });

/** How a value is converted after its default is applied. */
export const transformSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('date'),
      format: z.enum(['iso', 'unix', 'unix_ms', 'date']).meta({
        description:
          'Output: `iso` (ISO 8601 UTC), `unix` (seconds), `unix_ms` (milliseconds), `date` (`YYYY-MM-DD`, UTC). Input may be an ISO or RFC 2822 string, epoch seconds or milliseconds.',
      }),
    })
    .meta({ id: 'DateTransform' }),
  z
    .strictObject({
      type: z.literal('number'),
      format: z.enum(['integer', 'decimal']),
      scale: z
        .number()
        .positive()
        .finite()
        .optional()
        .meta({ description: 'Multiplier applied first, e.g. `0.01` for cents → units.' }),
      decimals: z
        .number()
        .int()
        .min(0)
        .max(12)
        .optional()
        .meta({ description: 'Round a `decimal` to this many places.' }),
    })
    .refine((transform) => transform.format === 'decimal' || transform.decimals === undefined, {
      message: '`decimals` applies to the `decimal` format only',
      path: ['decimals'],
    })
    .meta({ id: 'NumberTransform' }),
  z.strictObject({ type: z.literal('string') }).meta({ id: 'StringTransform' }),
  z.strictObject({ type: z.literal('boolean') }).meta({ id: 'BooleanTransform' }),
]);

/** A JSON value within MAX_JSON_DEPTH: the depth is checked first, so the walk below stays shallow. */
function isJsonValue(value: unknown): boolean {
  return !valueTooDeep(value) && isJsonTree(value);
}

function isJsonTree(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonTree);
  const prototype = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype === Object.prototype || prototype === null) {
    return Object.values(value as object).every(isJsonTree);
  }
  return false;
}

/** One mapped field. */
export const fieldMappingFieldSchema = z.strictObject({
  from: fieldPathSchema,
  to: fieldPathSchema,
  // z.unknown() refined rather than z.json(): the recursive JSON schema of z.json() does not
  // render as a usable OpenAPI component.
  default: z
    .unknown()
    .refine(isJsonValue, { message: `must be a JSON value nested at most ${MAX_JSON_DEPTH} levels` })
    .optional()
    .meta({ description: 'Any JSON value, used when the source is missing or null.' }),
  transform: transformSchema.optional(),
});

/** A whole mapping, as the API accepts it (`keepUnmapped` defaults to true). */
export const mappingSchema = z
  .strictObject({
    fields: z.array(fieldMappingFieldSchema).min(1).max(200),
    keepUnmapped: z
      .boolean()
      .default(true)
      .meta({ description: 'Pass the fields no mapping reads through unchanged. Default true.' }),
  })
  .superRefine((mapping, context) => {
    // Two fields writing one place, or one inside the other, would make the result depend on order.
    const targets = mapping.fields.map((field) => field.to);
    targets.forEach((to, index) => {
      for (let other = 0; other < index; other++) {
        const earlier = targets[other]!;
        if (to === earlier || to.startsWith(`${earlier}.`) || earlier.startsWith(`${to}.`)) {
          context.addIssue({
            code: 'custom',
            path: ['fields', index, 'to'],
            message: `"${to}" overlaps the target "${earlier}" of fields.${other}`,
          });
        }
      }
    });
  });

/** A field transform. */
export type FieldTransform = z.output<typeof transformSchema>;
/** One mapped field. */
export type MappingField = z.output<typeof fieldMappingFieldSchema>;
/** A validated mapping (`keepUnmapped` filled in). */
export type Mapping = z.output<typeof mappingSchema>;
/** A mapping as written by a client (`keepUnmapped` optional). */
export type MappingInput = z.input<typeof mappingSchema>;

/** A problem with a mapping or with a value a mapping read, at a dotted path. */
export interface MappingIssue {
  path: string;
  message: string;
}

/** Validates a mapping, returning it with defaults or the issues with their paths (`fields.0.to`). */
export function parseMapping(
  input: unknown,
): { ok: true; mapping: Mapping } | { ok: false; issues: MappingIssue[] } {
  const result = mappingSchema.safeParse(input);
  if (result.success) return { ok: true, mapping: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  };
}
