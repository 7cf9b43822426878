/**
 * An environment's hub settings: the providers the hub lists as coming soon (so end users see
 * what is planned before the host enables it) and whether end users may edit their connections'
 * field mappings in the hub. Stored in `hub_settings`, one row per environment, written only here.
 */
import type { Clock } from '../clock/index.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { isForeignKeyViolation } from '../integrations/db-errors.ts';
import type { Store } from '../store/index.ts';

export interface HubSettings {
  /** Provider names shown as coming soon, in the order given. */
  comingSoon: string[];
  /** End users may edit their connections' field mappings in the hub. */
  editableMappings: boolean;
  /** Null until the settings are first written. */
  updatedAt: number | null;
}

export interface UpdateHubSettingsInput {
  comingSoon?: string[] | undefined;
  editableMappings?: boolean | undefined;
}

export interface HubSettingsService {
  get(environmentId: string): Promise<HubSettings>;
  /**
   * Changes the fields given. A provider name the catalog does not know is refused
   * `validation_failed` naming it.
   */
  update(environmentId: string, input: UpdateHubSettingsInput): Promise<HubSettings>;
}

/** At most this many coming-soon providers: a hub is a page, not the catalog. */
export const MAX_COMING_SOON = 50;

export function createHubSettings(options: {
  store: Pick<Store, 'db'>;
  clock: Clock;
  /** Whether the catalog has a provider of this name. */
  providerExists(name: string): boolean;
}): HubSettingsService {
  const db = options.store.db;

  async function get(environmentId: string): Promise<HubSettings> {
    const row = await db
      .selectFrom('hub_settings')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .executeTakeFirst();
    if (!row) return { comingSoon: [], editableMappings: false, updatedAt: null };
    return {
      comingSoon: JSON.parse(row.coming_soon) as string[],
      editableMappings: Number(row.editable_mappings) === 1,
      updatedAt: Number(row.updated_at),
    };
  }

  return {
    get,
    async update(environmentId, input) {
      const current = await get(environmentId);
      const comingSoon = input.comingSoon === undefined ? current.comingSoon : [...new Set(input.comingSoon)];
      if (comingSoon.length > MAX_COMING_SOON) {
        throw invalid('comingSoon', `list at most ${MAX_COMING_SOON} providers`);
      }
      const unknown = comingSoon.filter((name) => !options.providerExists(name));
      if (unknown.length > 0) {
        throw invalid(
          'comingSoon',
          `no provider named ${unknown.map((name) => `"${name.slice(0, 64)}"`).join(', ')} in the catalog; list provider names such as "shopify"`,
        );
      }
      const editableMappings = input.editableMappings ?? current.editableMappings;
      const now = options.clock.now();
      const values = {
        coming_soon: JSON.stringify(comingSoon),
        editable_mappings: editableMappings ? 1 : 0,
        updated_at: now,
      };
      try {
        await db
          .insertInto('hub_settings')
          .values({ environment_id: environmentId, ...values })
          .onConflict((conflict) => conflict.column('environment_id').doUpdateSet(values))
          .execute();
      } catch (error) {
        if (isForeignKeyViolation(error)) throw notFound('Environment', environmentId);
        throw error;
      }
      return { comingSoon, editableMappings, updatedAt: now };
    },
  };
}

function invalid(path: string, message: string): PatchbayError {
  return new PatchbayError('validation_failed', `Invalid hub settings: ${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
}
