/**
 * The integrations service: providers enabled in an environment with the host's OAuth app.
 * Client and webhook secrets are vault envelopes bound to the integration row; only resolve()
 * decrypts them, for the auth and proxy modules.
 */
import type { Kysely, Selectable } from 'kysely';
import { type Catalog, getProvider, type ProviderDefinition } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { type IdFactory, isId, newId } from '../ids/index.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import type { Database, IntegrationsTable, Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import { isForeignKeyViolation, isUniqueViolation } from './db-errors.ts';
import type {
  CreateIntegrationInput,
  Integration,
  IntegrationSettings,
  IntegrationsService,
  ResolvableIntegrationRow,
  UpdateIntegrationInput,
} from './types.ts';
import { checkAppCredentials, checkKey, checkScopes, checkSettings, withOverrides } from './validate.ts';

export interface IntegrationsServiceOptions {
  store: Pick<Store, 'db'>;
  vault: Vault;
  catalog: Catalog;
  clock: Clock;
  ids?: IdFactory;
}

type IntegrationRow = Selectable<IntegrationsTable>;
type SecretPurpose = 'client_secret' | 'webhook_secret';

/** Creates the integrations service. */
export function createIntegrationsService(options: IntegrationsServiceOptions): IntegrationsService {
  const { vault, catalog, clock } = options;
  const db = options.store.db;
  const ids = options.ids ?? newId;
  // Definitions with overrides applied, per integration, valid while its provider and settings
  // are unchanged (applyOverrides re-validates the whole definition: worth not repeating per call).
  const definitions = new Map<
    string,
    { provider: string; settings: string; definition: ProviderDefinition }
  >();

  const seal = (id: string, purpose: SecretPurpose, value: string | null): string | null =>
    value === null ? null : vault.encrypt(value, { table: 'integrations', rowId: id, purpose });
  const unseal = (id: string, purpose: SecretPurpose, envelope: string | null): string | null =>
    envelope === null ? null : vault.decrypt(envelope, { table: 'integrations', rowId: id, purpose });

  async function findRow(
    executor: Kysely<Database>,
    environmentId: string,
    idOrKey: string,
  ): Promise<IntegrationRow> {
    const row = await executor
      .selectFrom('integrations')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where(isId('integration', idOrKey) ? 'id' : 'key', '=', idOrKey)
      .executeTakeFirst();
    if (!row) throw notFound('Integration', idOrKey.slice(0, 100));
    return row;
  }

  function resolveRow(row: ResolvableIntegrationRow): ResolvedIntegration {
    // The client secret is decrypted on every call and never cached: a credential is plaintext
    // only while in use (docs/security.md). The parsed parts are cheap to rebuild, and the
    // definition with overrides applied is cached by definitionOf.
    const scopes = parseScopes(row.scopes);
    return {
      id: row.id,
      environmentId: row.environment_id,
      key: row.key,
      provider: row.provider,
      clientId: row.client_id,
      clientSecret: unseal(row.id, 'client_secret', row.client_secret),
      scopes,
      redirectUri: parseSettings(row.settings).redirectUri ?? null,
      definition: definitionOf(row),
    };
  }

  function definitionOf(row: Pick<IntegrationRow, 'id' | 'provider' | 'settings'>): ProviderDefinition {
    const cached = definitions.get(row.id);
    if (cached && cached.provider === row.provider && cached.settings === row.settings)
      return cached.definition;
    const definition = withOverrides(getProvider(catalog, row.provider), parseSettings(row.settings));
    definitions.set(row.id, { provider: row.provider, settings: row.settings, definition });
    return definition;
  }

  return {
    async create(environmentId, input: CreateIntegrationInput) {
      const definition = getProvider(catalog, input.provider);
      const key = input.key ?? definition.name;
      checkKey(key);
      const settings = cleanSettings(input.settings ?? {});
      checkSettings(definition, settings);
      const scopes = input.scopes ?? null;
      checkScopes(scopes);
      const clientId = blankToNull(input.clientId);
      const clientSecret = blankToNull(input.clientSecret);
      checkAppCredentials(definition, { clientId, hasClientSecret: clientSecret !== null });

      const now = clock.now();
      const id = ids('integration', now);
      const row: IntegrationRow = {
        id,
        environment_id: environmentId,
        key,
        provider: definition.name,
        display_name: blankToNull(input.displayName),
        client_id: clientId,
        client_secret: seal(id, 'client_secret', clientSecret),
        webhook_secret: seal(id, 'webhook_secret', blankToNull(input.webhookSecret)),
        scopes: scopes === null ? null : JSON.stringify(scopes),
        settings: JSON.stringify(settings),
        enabled: input.enabled === false ? 0 : 1,
        created_at: now,
        updated_at: now,
      };
      try {
        await db.transaction().execute(async (trx) => {
          const taken = await trx
            .selectFrom('integrations')
            .select('id')
            .where('environment_id', '=', environmentId)
            .where('key', '=', key)
            .executeTakeFirst();
          if (taken) throw keyTaken(key);
          await trx.insertInto('integrations').values(row).execute();
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw keyTaken(key);
        if (isForeignKeyViolation(error)) throw notFound('Environment', environmentId);
        throw error;
      }
      return toIntegration(row);
    },

    async list(environmentId) {
      const rows = await db
        .selectFrom('integrations')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .orderBy('id')
        .execute();
      return rows.map(toIntegration);
    },

    async get(environmentId, idOrKey) {
      return toIntegration(await findRow(db, environmentId, idOrKey));
    },

    async update(environmentId, idOrKey, patch: UpdateIntegrationInput) {
      const row = await findRow(db, environmentId, idOrKey);
      const definition = getProvider(catalog, row.provider);
      const settings =
        patch.settings === undefined ? parseSettings(row.settings) : cleanSettings(patch.settings);
      checkSettings(definition, settings);
      const scopes = patch.scopes === undefined ? parseScopes(row.scopes) : patch.scopes;
      checkScopes(scopes);
      const clientId = patch.clientId === undefined ? row.client_id : blankToNull(patch.clientId);
      const clientSecret =
        patch.clientSecret === undefined
          ? row.client_secret
          : seal(row.id, 'client_secret', blankToNull(patch.clientSecret));
      checkAppCredentials(definition, { clientId, hasClientSecret: clientSecret !== null });

      const changes = {
        display_name: patch.displayName === undefined ? row.display_name : blankToNull(patch.displayName),
        client_id: clientId,
        client_secret: clientSecret,
        webhook_secret:
          patch.webhookSecret === undefined
            ? row.webhook_secret
            : seal(row.id, 'webhook_secret', blankToNull(patch.webhookSecret)),
        scopes: scopes === null ? null : JSON.stringify(scopes),
        settings: JSON.stringify(settings),
        enabled: patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
        updated_at: clock.now(),
      };
      const result = await db
        .updateTable('integrations')
        .set(changes)
        .where('environment_id', '=', environmentId)
        .where('id', '=', row.id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('Integration', idOrKey.slice(0, 100));
      return toIntegration({ ...row, ...changes });
    },

    async delete(environmentId, idOrKey) {
      try {
        await db.transaction().execute(async (trx) => {
          const row = await findRow(trx, environmentId, idOrKey);
          const inUse = await trx
            .selectFrom('connections')
            .select('id')
            .where('environment_id', '=', environmentId)
            .where('integration_id', '=', row.id)
            .limit(1)
            .executeTakeFirst();
          if (inUse) throw inUseError(row.key);
          await trx
            .deleteFrom('integrations')
            .where('environment_id', '=', environmentId)
            .where('id', '=', row.id)
            .execute();
          definitions.delete(row.id);
        });
      } catch (error) {
        // A connection created between the check and the delete: the foreign key refuses.
        if (isForeignKeyViolation(error)) throw inUseError(idOrKey.slice(0, 100));
        throw error;
      }
    },

    async environmentOf(integrationId) {
      const row = isId('integration', integrationId)
        ? await db
            .selectFrom('integrations')
            .select('environment_id')
            .where('id', '=', integrationId)
            .executeTakeFirst()
        : undefined;
      if (!row) throw notFound('Integration', integrationId.slice(0, 100));
      return row.environment_id;
    },

    async resolve(environmentId, idOrKey): Promise<ResolvedIntegration> {
      return resolveRow(await findRow(db, environmentId, idOrKey));
    },

    resolveRow,

    async webhookSecret(environmentId, idOrKey) {
      const row = await findRow(db, environmentId, idOrKey);
      return unseal(row.id, 'webhook_secret', row.webhook_secret);
    },
  };
}

/** An integration row as the API shows it: whether secrets are set, never their values. */
export function toIntegration(row: IntegrationRow): Integration {
  return {
    id: row.id,
    environmentId: row.environment_id,
    key: row.key,
    provider: row.provider,
    displayName: row.display_name,
    clientId: row.client_id,
    hasClientSecret: row.client_secret !== null,
    hasWebhookSecret: row.webhook_secret !== null,
    scopes: parseScopes(row.scopes),
    settings: parseSettings(row.settings),
    enabled: Number(row.enabled) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function parseScopes(json: string | null): string[] | null {
  return json === null ? null : (JSON.parse(json) as string[]);
}

function parseSettings(json: string): IntegrationSettings {
  return JSON.parse(json) as IntegrationSettings;
}

/** Only the known settings, without undefined members. */
function cleanSettings(settings: IntegrationSettings): IntegrationSettings {
  const clean: IntegrationSettings = {};
  if (settings.baseUrls !== undefined) clean.baseUrls = { ...settings.baseUrls };
  if (settings.redirectUri !== undefined) clean.redirectUri = settings.redirectUri;
  if (settings.autoStartSyncs !== undefined) clean.autoStartSyncs = [...new Set(settings.autoStartSyncs)];
  return clean;
}

function blankToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

function keyTaken(key: string): PatchbayError {
  return new PatchbayError(
    'conflict',
    `An integration with key "${key}" already exists in this environment; choose another key`,
    { details: { key } },
  );
}

function inUseError(key: string): PatchbayError {
  return new PatchbayError(
    'conflict',
    `Integration "${key}" still has connections; delete them first (GET /v1/connections?integration=${key})`,
    { details: { key } },
  );
}
