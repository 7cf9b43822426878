import type { FieldMappingRecord, FieldMappingsService } from '../../syncs/mappings/index.ts';
import { isoTime } from '../../values/instant.ts';
import { deleteFieldMapping, listFieldMappings, putFieldMapping } from '../contract/field-mappings.ts';
import type { ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `/v1/connections/:id/field-mappings`: a connection's mappings of models (on read) and actions (on input). */
export function fieldMappingRoutes(mappings: FieldMappingsService): RouteModule {
  return {
    name: 'field-mappings',
    routes: [
      route(putFieldMapping, async ({ auth, params, body }) =>
        presentFieldMapping(
          await mappings.set(auth.environment.id, params.id, params.kind, params.target, body),
        ),
      ),
      route(listFieldMappings, async ({ auth, params }) => ({
        data: (await mappings.list(auth.environment.id, params.id)).map(presentFieldMapping),
      })),
      route(deleteFieldMapping, async ({ auth, params }) => {
        await mappings.delete(auth.environment.id, params.id, params.kind, params.target);
        return { connectionId: params.id, kind: params.kind, target: params.target, deleted: true as const };
      }),
    ],
  };
}

/** A stored mapping as the API shows it. */
export function presentFieldMapping(record: FieldMappingRecord): ResponseOf<typeof putFieldMapping> {
  return {
    connectionId: record.connectionId,
    kind: record.kind,
    target: record.target,
    mapping: record.mapping,
    createdAt: isoTime(record.createdAt),
    updatedAt: isoTime(record.updatedAt),
  };
}
