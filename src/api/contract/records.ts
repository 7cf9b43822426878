import { z } from 'zod';
import { defineOperation } from './operation.ts';
import { instant, pageLimit, pageOf, timestamp } from './schemas.ts';

/** A synced record as the API shows it: the provider's id, the model's fields, and its history. */
export const recordSchema = z
  .object({
    id: z.string().meta({ description: "The provider's id of the record.", example: '8b1c2f' }),
    model: z.string().meta({ example: 'sales' }),
    data: z
      .record(z.string(), z.unknown())
      .meta({ description: "The record's fields, after the connection's field mapping if it has one." }),
    deleted: z.boolean().meta({ description: 'True once the provider deleted it (soft delete).' }),
    firstSeenAt: timestamp,
    modifiedAt: timestamp.meta({ description: 'When it was last added, changed or deleted.' }),
    deletedAt: timestamp.nullable(),
  })
  .meta({ id: 'Record' });

export const listRecords = defineOperation({
  id: 'listRecords',
  method: 'GET',
  path: '/v1/records',
  summary: "List a connection's synced records of one model",
  description:
    "Oldest modification first; pass `nextAfter` of a page as `after` to get the next one. Nothing is skipped while syncs write, and a record changed after it was read appears again further on. To poll for changes later, pass the last record's `modifiedAt` as `modifiedSince` (records modified at that very instant come again). Deleted records are left out unless `includeDeleted=true`: pass it to learn about deletions.",
  tag: 'Records',
  auth: 'apiKey',
  query: z.strictObject({
    connectionId: z.string().min(1).max(100).meta({ description: 'The connection whose records to list.' }),
    model: z.string().min(1).max(100).meta({ description: 'The model (`sales`, `products`…).' }),
    modifiedSince: instant
      .optional()
      .meta({ description: 'Only records modified at or after this instant.' }),
    includeDeleted: z
      .enum(['true', 'false'])
      .optional()
      .meta({ description: 'Include soft-deleted records (`deleted: true`). Default false.' }),
    after: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .meta({ description: 'The `nextAfter` of the previous page, unchanged.' }),
    limit: pageLimit,
  }),
  status: 200,
  response: pageOf(recordSchema),
  errors: ['not_found', 'invalid_request', 'invalid_id'],
});
