/**
 * Field mappings: provider field paths → host field names with simple transforms, per
 * connection, applied to records on read (kind `model`) and to action input (kind `action`).
 */
export {
  createActionInputMapper,
  createInputMapper,
  createMapper,
  describeIssues,
  type FieldMapper,
  type InputMapResult,
  type MappedData,
} from './mapper.ts';
export {
  type FieldTransform,
  fieldMappingFieldSchema,
  fieldPathSchema,
  type Mapping,
  type MappingField,
  type MappingInput,
  type MappingIssue,
  mappingSchema,
  parseMapping,
  transformSchema,
} from './schema.ts';
export {
  checkSchemaPath,
  describeMissingPath,
  type MissingPath,
  type PathSchema,
  type SchemaPathResult,
  type SchemaSide,
} from './schema-paths.ts';
export {
  createFieldMappings,
  type FieldMappingRecord,
  type FieldMappingsOptions,
  type FieldMappingsService,
  type ProviderTargets,
} from './service.ts';
