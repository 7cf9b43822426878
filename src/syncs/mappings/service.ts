/**
 * Field mappings per connection, stored in `field_mappings`: one per (connection, kind, target),
 * where kind `model` maps a sync model's records on read and kind `action` maps the host's input
 * to an action before its input validation. Every query is scoped by environment.
 */

import type { Selectable } from 'kysely';
import type { Clock } from '../../clock/index.ts';
import { notFound, PatchbayError } from '../../errors/index.ts';
import type { FieldMappingKind, FieldMappingsTable, Store } from '../../store/index.ts';
import { createActionInputMapper, createMapper, describeIssues, type FieldMapper } from './mapper.ts';
import { type Mapping, type MappingIssue, parseMapping } from './schema.ts';
import { checkSchemaPath, describeMissingPath, type PathSchema } from './schema-paths.ts';

/** The models and actions a provider's scripts declare: what a mapping may target. */
export interface ProviderTargets {
  models: readonly string[];
  actions: readonly string[];
  /**
   * The record schemas of each model (several syncs may declare one model): a model mapping's
   * `from` paths are checked against their output. A model without schemas is not checked.
   */
  modelSchemas?: Readonly<Record<string, readonly PathSchema[]>>;
  /**
   * The input schema of each action: an action mapping's `to` paths are checked against its
   * input side. An action without one is not checked.
   */
  actionInputs?: Readonly<Record<string, PathSchema>>;
}

export interface FieldMappingsOptions {
  store: Store;
  clock: Clock;
  /** The targets of a provider (from its scripts); unknown providers have none. */
  targets(provider: string): ProviderTargets | Promise<ProviderTargets>;
}

/** A stored mapping. */
export interface FieldMappingRecord {
  connectionId: string;
  kind: FieldMappingKind;
  target: string;
  mapping: Mapping;
  createdAt: number;
  updatedAt: number;
}

export interface FieldMappingsService {
  /**
   * Creates or replaces the mapping of a connection's model or action. Throws `not_found` for a
   * connection outside the environment, `mapping_invalid` for an invalid mapping (details.issues
   * with field paths), a path the target's schema rules out (a model's `from`, an action's `to`;
   * details.issues naming the keys available where the path breaks), or a target the provider
   * does not have (details.available).
   */
  set(
    environmentId: string,
    connectionId: string,
    kind: FieldMappingKind,
    target: string,
    mapping: unknown,
  ): Promise<FieldMappingRecord>;
  /** The mapping, or null when there is none; `not_found` for a connection outside the environment. */
  get(
    environmentId: string,
    connectionId: string,
    kind: FieldMappingKind,
    target: string,
  ): Promise<FieldMappingRecord | null>;
  /** A connection's mappings by kind then target; `not_found` for a connection outside the environment. */
  list(environmentId: string, connectionId: string): Promise<FieldMappingRecord[]>;
  /** Deletes a mapping; `not_found` when the connection or the mapping does not exist. */
  delete(environmentId: string, connectionId: string, kind: FieldMappingKind, target: string): Promise<void>;
  /**
   * The compiled mapper of a connection's model (records on read) or action (input; it throws
   * `action_input_invalid` with the host's field paths), or null when there is no mapping, so the
   * caller skips the work. One indexed read; compiled mappers are reused while the stored mapping
   * is unchanged.
   */
  mapperFor(
    environmentId: string,
    connectionId: string,
    kind: FieldMappingKind,
    target: string,
  ): Promise<FieldMapper | null>;
}

// Compiled mappers kept per (connection, kind, target), reused while the stored JSON is the same.
const MAPPER_CACHE_SIZE = 500;

/** Creates the field mappings service. */
export function createFieldMappings(options: FieldMappingsOptions): FieldMappingsService {
  const { store, clock } = options;
  const db = store.db;
  const compiled = new Map<string, { json: string; mapper: FieldMapper }>();

  async function providerOf(environmentId: string, connectionId: string): Promise<string> {
    const row = await db
      .selectFrom('connections')
      .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
      .select('integrations.provider')
      .where('connections.environment_id', '=', environmentId)
      .where('connections.id', '=', connectionId)
      .executeTakeFirst();
    if (!row) throw notFound('Connection', connectionId);
    return row.provider;
  }

  function selectMappings(environmentId: string, connectionId: string) {
    return db
      .selectFrom('field_mappings')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('connection_id', '=', connectionId);
  }

  return {
    async set(environmentId, connectionId, kind, target, input) {
      const provider = await providerOf(environmentId, connectionId);
      const targets = await options.targets(provider);
      const available = kind === 'model' ? targets.models : targets.actions;
      if (!available.includes(target)) {
        const list = available.length > 0 ? available.join(', ') : 'none';
        throw new PatchbayError(
          'mapping_invalid',
          `${provider} has no ${kind} "${target}"; the available ${kind}s are: ${list}`,
          { details: { kind, target, available: [...available] } },
        );
      }
      const parsed = parseMapping(input);
      if (!parsed.ok) {
        throw new PatchbayError(
          'mapping_invalid',
          describeIssues('The field mapping is invalid', parsed.issues),
          {
            details: { issues: parsed.issues },
          },
        );
      }
      const pathIssues = schemaPathIssues(targets, kind, target, parsed.mapping);
      if (pathIssues.length > 0) {
        throw new PatchbayError(
          'mapping_invalid',
          describeIssues(`The field mapping does not fit the ${kind} "${target}"`, pathIssues),
          { details: { issues: pathIssues } },
        );
      }
      const json = JSON.stringify(parsed.mapping);
      const now = clock.now();
      await db
        .insertInto('field_mappings')
        .values({
          connection_id: connectionId,
          kind,
          target,
          environment_id: environmentId,
          mapping: json,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) =>
          conflict
            .columns(['connection_id', 'kind', 'target'])
            .doUpdateSet({ mapping: json, updated_at: now }),
        )
        .execute();
      const stored = await selectMappings(environmentId, connectionId)
        .where('kind', '=', kind)
        .where('target', '=', target)
        .executeTakeFirstOrThrow();
      return present(stored);
    },

    async get(environmentId, connectionId, kind, target) {
      await providerOf(environmentId, connectionId);
      const row = await selectMappings(environmentId, connectionId)
        .where('kind', '=', kind)
        .where('target', '=', target)
        .executeTakeFirst();
      return row ? present(row) : null;
    },

    async list(environmentId, connectionId) {
      await providerOf(environmentId, connectionId);
      const rows = await selectMappings(environmentId, connectionId)
        .orderBy('kind')
        .orderBy('target')
        .execute();
      return rows.map(present);
    },

    async delete(environmentId, connectionId, kind, target) {
      await providerOf(environmentId, connectionId);
      const result = await db
        .deleteFrom('field_mappings')
        .where('environment_id', '=', environmentId)
        .where('connection_id', '=', connectionId)
        .where('kind', '=', kind)
        .where('target', '=', target)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) {
        throw new PatchbayError(
          'not_found',
          `Connection ${connectionId} has no ${kind} mapping for "${target}"`,
          {
            details: { connectionId, kind, target },
          },
        );
      }
    },

    async mapperFor(environmentId, connectionId, kind, target) {
      const row = await selectMappings(environmentId, connectionId)
        .where('kind', '=', kind)
        .where('target', '=', target)
        .executeTakeFirst();
      if (!row) return null;
      const key = `${connectionId}\u0000${kind}\u0000${target}`;
      const cached = compiled.get(key);
      if (cached && cached.json === row.mapping) return cached.mapper;
      // Stored mappings were validated when set, so compiling them does not throw.
      const mapping = JSON.parse(row.mapping) as Mapping;
      const mapper = kind === 'model' ? createMapper(mapping) : createActionInputMapper(mapping);
      if (compiled.size >= MAPPER_CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
      compiled.set(key, { json: row.mapping, mapper });
      return mapper;
    },
  };
}

/**
 * The fields whose paths the target's schema rules out: a model's `from` (records on read are
 * the model's parsed output) or an action's `to` (the mapping writes the input its schema then
 * validates; `from` is the host's own shape). Paths the schema cannot tell about pass.
 */
function schemaPathIssues(
  targets: ProviderTargets,
  kind: FieldMappingKind,
  target: string,
  mapping: Mapping,
): MappingIssue[] {
  const schemas =
    kind === 'model'
      ? targets.modelSchemas && Object.hasOwn(targets.modelSchemas, target)
        ? targets.modelSchemas[target]!
        : []
      : targets.actionInputs && Object.hasOwn(targets.actionInputs, target)
        ? [targets.actionInputs[target]!]
        : [];
  if (schemas.length === 0) return [];
  const checked = kind === 'model' ? 'from' : 'to';
  const subject = kind === 'model' ? `the ${target} model` : `the input of ${target}`;
  const issues: MappingIssue[] = [];
  mapping.fields.forEach((field, index) => {
    const path = field[checked];
    const result = checkSchemaPath(schemas, path.split('.'), { side: kind === 'model' ? 'output' : 'input' });
    if (result.status === 'missing') {
      issues.push({
        path: `fields.${index}.${checked}`,
        message: describeMissingPath(path, result, subject),
      });
    }
  });
  return issues;
}

function present(row: Selectable<FieldMappingsTable>): FieldMappingRecord {
  return {
    connectionId: row.connection_id,
    kind: row.kind,
    target: row.target,
    mapping: JSON.parse(row.mapping) as Mapping,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
