import { hash } from 'node:crypto';
import type { z } from 'zod';
import { PatchbayError } from '../../errors/index.ts';
import type { RecordShape } from '../../scripting/types.ts';
import { depthLimitText, MAX_JSON_DEPTH } from '../../values/json-depth.ts';
import { depthCheckFor } from './schema-depth.ts';
import type { PreparedRecord } from './types.ts';

/** How many issues a `record_invalid` error lists (a record can fail on every field). */
const MAX_ISSUES = 20;

/**
 * Validates `input` against the model's schema and turns it into what the store keeps: the
 * provider id, the validated record as JSON, and a SHA-1 of that JSON (base64url) for change
 * detection. SHA-1 here detects change, it does not defend against collisions crafted by an
 * attacker: a provider that could craft them could as well send the change itself.
 *
 * Throws `record_invalid` with the model, the record's id when it has one, and the failing paths;
 * or with `details.maxDepth` when it nests deeper than MAX_JSON_DEPTH.
 * Runs once per record of every sync, so it does the minimum: one parse, one stringify, one hash,
 * and a depth check that walks only what the model lets through unparsed (schema-depth.ts).
 */
export function prepareRecord(model: string, schema: z.ZodType<RecordShape>, input: unknown): PreparedRecord {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const id = providerId(input);
    const issues = parsed.error.issues.slice(0, MAX_ISSUES).map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    throw new PatchbayError(
      'record_invalid',
      `A ${model} record${id === undefined ? '' : ` (id ${id})`} does not match the model: ${issues
        .map((issue) => `${issue.path || '(record)'}: ${issue.message}`)
        .join('; ')}`,
      {
        details: { model, ...(id === undefined ? {} : { id }), issues },
        cause: parsed.error,
      },
    );
  }
  if (depthCheckFor(schema)(parsed.data, MAX_JSON_DEPTH)) {
    // A model that lets unknown fields through (a host's own provider) may carry a provider's
    // nesting; JSON.stringify below, and every reader of the record, would recurse through it.
    const id = parsed.data.id;
    throw new PatchbayError(
      'record_invalid',
      `A ${model} record (id ${id.slice(0, 200)}) ${depthLimitText()}`,
      {
        details: { model, id: id.slice(0, 200), maxDepth: MAX_JSON_DEPTH },
      },
    );
  }
  const payload = JSON.stringify(parsed.data);
  return { externalId: parsed.data.id, payload, hash: hash('sha1', payload, 'base64url') };
}

// The id as the provider sent it, for the error message: a short string or number only.
function providerId(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const id = (input as { id?: unknown }).id;
  if (typeof id === 'string') return id.slice(0, 200);
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}
