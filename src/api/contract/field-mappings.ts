import { z } from 'zod';
import { fieldMappingFieldSchema } from '../../syncs/mappings/schema.ts';
import { defineOperation } from './operation.ts';
import { idParam, listOf, timestamp } from './schemas.ts';

const KINDS = ['model', 'action'] as const;

/** A mapping as stored and shown (`keepUnmapped` always present). */
export const mappingDefinitionSchema = z
  .object({
    fields: z.array(fieldMappingFieldSchema),
    keepUnmapped: z.boolean().meta({ description: 'Pass the fields no mapping reads through unchanged.' }),
  })
  .meta({ id: 'FieldMappingDefinition' });

/** One connection's mapping of one model or action. */
export const fieldMappingSchema = z
  .object({
    connectionId: z.string(),
    kind: z.enum(KINDS).meta({
      description:
        "`model`: provider record fields (`from`) → host names (`to`), applied when records are read. `action`: host input fields (`from`) → the action's input fields (`to`), applied before the input is validated.",
    }),
    target: z.string().meta({ description: 'The model or action name.', example: 'sales' }),
    mapping: mappingDefinitionSchema,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'FieldMapping' });

const mappingParams = z.object({
  id: idParam('connection'),
  kind: z.enum(KINDS),
  target: z.string().min(1).max(100).meta({ description: 'The model or action name.', example: 'sales' }),
});

export const putFieldMapping = defineOperation({
  id: 'putFieldMapping',
  method: 'PUT',
  path: '/v1/connections/:id/field-mappings/:kind/:target',
  summary: "Set a connection's field mapping for a model or an action",
  description:
    'Creates or replaces the mapping. The body is a FieldMappingDefinition (`keepUnmapped` defaults to true); paths are dotted (`buyer.email`, `items.0.price`). Each field reads `from`, takes `default` when the value is missing or null, applies `transform` and writes `to`. An invalid mapping, a path the target schema rules out (`from` of a model, `to` of an action; the message names the keys available where it breaks), or a target the provider does not have, is answered 400 `mapping_invalid` with the field paths or the available targets in `details`.',
  tag: 'Connections',
  auth: 'apiKey',
  params: mappingParams,
  // Validated by the handler, so every fault of a mapping is `mapping_invalid` with its field path.
  body: z.unknown().meta({
    description: 'A FieldMappingDefinition.',
    example: {
      fields: [
        {
          from: 'amount',
          to: 'amountDecimal',
          transform: { type: 'number', format: 'decimal', scale: 0.01, decimals: 2 },
        },
        { from: 'buyer.email', to: 'customerEmail' },
        { from: 'createdAt', to: 'createdOn', transform: { type: 'date', format: 'date' } },
      ],
      keepUnmapped: true,
    },
  }),
  status: 200,
  response: fieldMappingSchema,
  errors: ['not_found', 'mapping_invalid'],
});

export const listFieldMappings = defineOperation({
  id: 'listFieldMappings',
  method: 'GET',
  path: '/v1/connections/:id/field-mappings',
  summary: "List a connection's field mappings",
  description: 'Ordered by kind, then target.',
  tag: 'Connections',
  auth: 'apiKey',
  params: z.object({ id: idParam('connection') }),
  status: 200,
  response: listOf(fieldMappingSchema),
  errors: ['not_found'],
});

export const deleteFieldMapping = defineOperation({
  id: 'deleteFieldMapping',
  method: 'DELETE',
  path: '/v1/connections/:id/field-mappings/:kind/:target',
  summary: "Delete a connection's field mapping for a model or an action",
  description: 'Records and action input are used as the provider defines them again.',
  tag: 'Connections',
  auth: 'apiKey',
  params: mappingParams,
  status: 200,
  response: z.object({
    connectionId: z.string(),
    kind: z.enum(KINDS),
    target: z.string(),
    deleted: z.literal(true),
  }),
  errors: ['not_found'],
});
