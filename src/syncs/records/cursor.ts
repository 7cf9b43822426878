import { PatchbayError } from '../../errors/index.ts';

/** A position in a (connection, model) listing: after this modification time and provider id. */
export interface RecordsCursor {
  modifiedAt: number;
  externalId: string;
}

/**
 * Encodes a cursor as an opaque string (base64url of `<modifiedAt>:<externalId>`): clients pass
 * it back unchanged, and the format may change without breaking them.
 */
export function encodeRecordsCursor(cursor: RecordsCursor): string {
  return Buffer.from(`${cursor.modifiedAt}:${cursor.externalId}`, 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeRecordsCursor; `invalid_request` for anything else. */
export function decodeRecordsCursor(value: string): RecordsCursor {
  const text = /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
  const match = /^(\d{1,16}):(.+)$/s.exec(text);
  const modifiedAt = match ? Number(match[1]) : Number.NaN;
  if (!match || !Number.isSafeInteger(modifiedAt)) {
    throw new PatchbayError(
      'invalid_request',
      'The `after` cursor is not one this API returned: pass the `nextAfter` of the previous page unchanged, or leave `after` out to start from the first page',
      { details: { field: 'after' } },
    );
  }
  return { modifiedAt, externalId: match[2]! };
}
