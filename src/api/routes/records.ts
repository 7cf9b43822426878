import { PatchbayError } from '../../errors/index.ts';
import { parseId } from '../../ids/index.ts';
import type { RecordsRepository, StoredRecord } from '../../syncs/records/index.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import type { ResponseOf } from '../contract/index.ts';
import { listRecords } from '../contract/records.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** Rewrites a record's fields for readers (a connection's field mapping). */
export type RecordTransform = (data: Record<string, unknown>) => Record<string, unknown>;

export interface RecordRoutesOptions {
  /**
   * The transform of a connection's model, resolved once per request (field mappings);
   * `identityTransform` where there are none.
   */
  transform(environmentId: string, connectionId: string, model: string): Promise<RecordTransform>;
}

/** A transform that returns records as stored. */
export const identityTransform: RecordRoutesOptions['transform'] = async () => (data) => data;

const DEFAULT_LIMIT = 50;

/** `/v1/records`: the normalized records syncs stored, per connection and model, in the key's environment. */
export function recordRoutes(
  records: Pick<RecordsRepository, 'list'>,
  options: RecordRoutesOptions,
): RouteModule {
  return {
    name: 'records',
    routes: [
      route(listRecords, async ({ auth, query }) => {
        const environmentId = auth.environment.id;
        const connectionId = parseId('connection', query.connectionId);
        // The listing checks the connection first: another environment's id is not_found.
        const page = await records.list(environmentId, connectionId, query.model, {
          limit: query.limit ?? DEFAULT_LIMIT,
          includeDeleted: query.includeDeleted === 'true',
          ...(query.after === undefined ? {} : { after: query.after }),
          ...(query.modifiedSince === undefined
            ? {}
            : { modifiedSince: parseInstant('modifiedSince', query.modifiedSince) }),
        });
        const transform = await options.transform(environmentId, connectionId, query.model);
        return {
          data: page.data.map((record) => presentRecord(record, transform)),
          nextAfter: page.nextAfter,
        };
      }),
    ],
  };
}

/** A record as the API shows it, its fields passed through `transform`. */
export function presentRecord(
  record: StoredRecord,
  transform: RecordTransform,
): ResponseOf<typeof listRecords>['data'][number] {
  return {
    id: record.id,
    model: record.model,
    data: transform(record.data),
    deleted: record.deleted,
    firstSeenAt: isoTime(record.firstSeenAt),
    modifiedAt: isoTime(record.modifiedAt),
    deletedAt: isoTimeOrNull(record.deletedAt),
  };
}

/** An ISO 8601 instant as epoch ms; `validation_failed` naming the field otherwise. */
function parseInstant(field: string, value: string): number {
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    const message = `${field} must be an ISO 8601 instant, e.g. 2026-01-01T00:00:00Z`;
    throw new PatchbayError('validation_failed', message, {
      details: { issues: [{ path: field, message }] },
    });
  }
  return time;
}
