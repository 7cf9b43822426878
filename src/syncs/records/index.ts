/**
 * The records store: validated, hashed records of each connection and model, with change
 * detection, soft deletes, delete detection for full syncs, and a stable cursor for readers.
 */
export { decodeRecordsCursor, encodeRecordsCursor, type RecordsCursor } from './cursor.ts';
export { prepareRecord } from './prepare.ts';
export { createRecordsRepository } from './repository.ts';
export { WEBHOOK_WRITER_PREFIX, webhookWriterId } from './sql.ts';
export type * from './types.ts';
