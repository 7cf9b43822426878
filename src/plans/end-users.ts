/**
 * End users as a resource of an environment: created on first use (a connect session, a
 * connection) or through the API, with their plan. Their connections keep `end_user_id`; the
 * row here is what the host set about the person. Deleting one goes through the connections
 * service for each of their connections (revocation at the provider, every module's hooks).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { appendEvent } from '../events/index.ts';
import { type IdFactory, newId } from '../ids/index.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../integrations/db-errors.ts';
import type { Database, EndUsersTable, Store } from '../store/index.ts';
import { checkValueDepth } from '../values/json-depth.ts';
import type {
  EndUserRecord,
  EndUserSeen,
  PlanChangeSource,
  UpdateEndUserInput,
  UpsertEndUserInput,
} from './types.ts';

export const DEFAULT_END_USER_PAGE = 50;
export const MAX_END_USER_PAGE = 200;
/** Largest metadata object kept per end user (JSON characters). */
export const MAX_END_USER_METADATA = 16_384;

export interface EndUsersService {
  /** Creates the end user on first use, or notes that they were seen (and a newer email/organization). */
  touch(environmentId: string, seen: EndUserSeen, executor?: Kysely<Database>): Promise<void>;
  /** Creates or updates (fields given replace, metadata merges); `created` says which. */
  upsert(
    environmentId: string,
    input: UpsertEndUserInput,
    source?: PlanChangeSource,
  ): Promise<{ endUser: EndUserRecord; created: boolean }>;
  list(
    environmentId: string,
    filter?: { search?: string; planKey?: string; after?: string; limit?: number },
  ): Promise<{ data: EndUserRecord[]; nextAfter: string | null }>;
  /** The end user; `not_found` when there is no row (an id only seen on connections gets one on its next use). */
  get(environmentId: string, id: string): Promise<EndUserRecord>;
  /** The end user, or null. */
  find(environmentId: string, id: string, executor?: Kysely<Database>): Promise<EndUserRecord | null>;
  update(
    environmentId: string,
    id: string,
    patch: UpdateEndUserInput,
    source?: PlanChangeSource,
  ): Promise<EndUserRecord>;
  /**
   * Sets the end user's plan (null: the default plan), creating the end user when missing; emits
   * `end_user.plan_changed` when it changed. What plan-from-subscription rules call.
   */
  setPlan(
    environmentId: string,
    id: string,
    planKey: string | null,
    source: PlanChangeSource,
  ): Promise<EndUserRecord>;
  /**
   * Deletes the end user's connections (through `deleteConnection`: revocation, hooks,
   * `connection.deleted`), then their row and usage, and emits `end_user.deleted`.
   */
  delete(environmentId: string, id: string): Promise<{ connectionsDeleted: number }>;
  /** Called after a committed plan change of an end user (cache invalidation, pauses). */
  onPlanChange(listener: (environmentId: string, endUserId: string) => Promise<void>): void;
}

export interface EndUsersServiceOptions {
  store: Pick<Store, 'db'>;
  clock: Clock;
  /** Whether a plan key exists in the environment (a plan change to an unknown plan is refused). */
  planExists(environmentId: string, key: string): Promise<boolean>;
  /** The ids of the end user's connections. */
  connectionIds(environmentId: string, endUserId: string): Promise<string[]>;
  /** Deletes one connection the way `DELETE /v1/connections/{id}` does. */
  deleteConnection(environmentId: string, connectionId: string): Promise<void>;
  /** Removes the end user's counters in the deleting transaction. */
  forgetUsage(trx: Kysely<Database>, environmentId: string, endUserId: string): Promise<void>;
  ids?: IdFactory;
}

export function createEndUsersService(options: EndUsersServiceOptions): EndUsersService {
  const { clock } = options;
  const db = options.store.db;
  const outbox = { clock, newId: options.ids ?? newId };
  const listeners: Array<(environmentId: string, endUserId: string) => Promise<void>> = [];

  async function planChanged(environmentId: string, endUserId: string) {
    for (const listener of listeners) await listener(environmentId, endUserId);
  }

  async function findRow(executor: Kysely<Database>, environmentId: string, id: string) {
    return executor
      .selectFrom('end_users')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async function checkPlan(environmentId: string, planKey: string | null | undefined) {
    if (planKey === undefined || planKey === null) return;
    if (!(await options.planExists(environmentId, planKey))) {
      throw new PatchbayError('validation_failed', `There is no plan "${planKey}" in this environment`, {
        details: { issues: [{ path: 'planKey', message: 'unknown plan' }] },
      });
    }
  }

  /**
   * Writes the row (insert or update) and, when the plan moved, the `end_user.plan_changed`
   * event, in one transaction. Returns the row and whether the plan moved.
   */
  async function save(
    environmentId: string,
    id: string,
    build: (existing: Selectable<EndUsersTable> | undefined, now: number) => Selectable<EndUsersTable>,
    source: PlanChangeSource,
    retried = false,
  ): Promise<{ endUser: EndUserRecord; created: boolean }> {
    const result = await db
      .transaction()
      .execute(async (trx) => {
        const existing = await findRow(trx, environmentId, id);
        const now = clock.now();
        const row = build(existing, now);
        checkMetadata(JSON.parse(row.metadata) as Record<string, unknown>);
        if (existing) {
          await trx
            .updateTable('end_users')
            .set(row)
            .where('environment_id', '=', environmentId)
            .where('id', '=', id)
            .execute();
        } else {
          await trx.insertInto('end_users').values(row).execute();
        }
        const from = existing?.plan_key ?? null;
        const moved = from !== row.plan_key;
        if (moved) {
          await appendEvent(
            trx,
            {
              environmentId,
              type: 'end_user.plan_changed',
              data: {
                endUserId: id,
                from,
                to: row.plan_key,
                source: source.source,
                ...(source.subscription ? { subscription: source.subscription } : {}),
              },
            },
            outbox,
          );
        }
        return { row, created: existing === undefined, moved };
      })
      .catch((error: unknown) => {
        if (isForeignKeyViolation(error)) throw notFound('Environment', environmentId);
        // Created by a concurrent request (a connect session, say) since it was read: update it.
        if (isUniqueViolation(error) && !retried) return null;
        throw error;
      });
    if (result === null) return save(environmentId, id, build, source, true);
    if (result.moved) await planChanged(environmentId, id);
    return { endUser: toEndUser(result.row), created: result.created };
  }

  return {
    async touch(environmentId, seen, executor = db) {
      const id = checkId(seen.id);
      const now = clock.now();
      await executor
        .insertInto('end_users')
        .values({
          environment_id: environmentId,
          id,
          email: seen.email ?? null,
          name: null,
          organization: seen.organization ?? null,
          metadata: '{}',
          plan_key: null,
          created_at: now,
          last_seen_at: now,
          updated_at: now,
        })
        .onConflict((conflict) =>
          conflict.columns(['environment_id', 'id']).doUpdateSet((eb) => ({
            last_seen_at: now,
            // A newer email or organization replaces the old one; an absent one keeps it.
            email: seen.email ? eb.val(seen.email) : eb.ref('end_users.email'),
            organization: seen.organization ? eb.val(seen.organization) : eb.ref('end_users.organization'),
          })),
        )
        .execute();
    },

    async upsert(environmentId, input, source = { source: 'api' }) {
      const id = checkId(input.id);
      await checkPlan(environmentId, input.planKey);
      return save(
        environmentId,
        id,
        (existing, now) => ({
          environment_id: environmentId,
          id,
          email: pick(input.email, existing?.email),
          name: pick(input.name, existing?.name),
          organization: pick(input.organization, existing?.organization),
          metadata: JSON.stringify(
            mergeMetadata(existing ? JSON.parse(existing.metadata) : {}, input.metadata),
          ),
          plan_key: input.planKey === undefined ? (existing?.plan_key ?? null) : input.planKey,
          created_at: existing ? Number(existing.created_at) : now,
          last_seen_at: existing ? Number(existing.last_seen_at) : now,
          updated_at: now,
        }),
        source,
      );
    },

    async list(environmentId, filter = {}) {
      const limit = Math.min(
        Math.max(Math.trunc(filter.limit ?? DEFAULT_END_USER_PAGE), 1),
        MAX_END_USER_PAGE,
      );
      const search = filter.search?.trim().toLowerCase();
      // A prefix match written as substr(), the same on both databases (no LIKE escaping rules).
      const length = search?.length ?? 0;
      const rows = await db
        .selectFrom('end_users')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .$if(length > 0, (query) =>
          query.where((eb) =>
            eb.or([
              eb(eb.fn('substr', [eb.fn('lower', ['id']), eb.lit(1), eb.lit(length)]), '=', search!),
              eb(eb.fn('substr', [eb.fn('lower', ['email']), eb.lit(1), eb.lit(length)]), '=', search!),
            ]),
          ),
        )
        .$if(filter.planKey !== undefined, (query) => query.where('plan_key', '=', filter.planKey!))
        .$if(filter.after !== undefined, (query) => query.where('id', '>', filter.after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const data = rows.slice(0, limit).map(toEndUser);
      return { data, nextAfter: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
    },

    async get(environmentId, id) {
      const row = await findRow(db, environmentId, id);
      if (!row) throw notFound('End user', id.slice(0, 100));
      return toEndUser(row);
    },

    async find(environmentId, id, executor = db) {
      const row = await findRow(executor, environmentId, id);
      return row ? toEndUser(row) : null;
    },

    async update(environmentId, id, patch, source = { source: 'api' }) {
      if (!(await findRow(db, environmentId, id))) throw notFound('End user', id.slice(0, 100));
      await checkPlan(environmentId, patch.planKey);
      const { endUser } = await save(
        environmentId,
        id,
        (existing, now) => {
          if (!existing) throw notFound('End user', id.slice(0, 100));
          return {
            ...existing,
            email: pick(patch.email, existing.email),
            name: pick(patch.name, existing.name),
            organization: pick(patch.organization, existing.organization),
            metadata: JSON.stringify(mergeMetadata(JSON.parse(existing.metadata), patch.metadata)),
            plan_key: patch.planKey === undefined ? existing.plan_key : patch.planKey,
            updated_at: Math.max(now, Number(existing.updated_at) + 1),
          };
        },
        source,
      );
      return endUser;
    },

    async setPlan(environmentId, id, planKey, source) {
      return (await this.upsert(environmentId, { id, planKey }, source)).endUser;
    },

    async delete(environmentId, id) {
      if (!(await findRow(db, environmentId, id))) throw notFound('End user', id.slice(0, 100));
      const connectionIds = await options.connectionIds(environmentId, id);
      let deleted = 0;
      for (const connectionId of connectionIds) {
        try {
          await options.deleteConnection(environmentId, connectionId);
          deleted += 1;
        } catch (error) {
          // Deleted meanwhile by another call: nothing left to do for it.
          if (!(error instanceof PatchbayError && error.code === 'not_found')) throw error;
        }
      }
      await db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('end_users')
          .where('environment_id', '=', environmentId)
          .where('id', '=', id)
          .execute();
        await options.forgetUsage(trx, environmentId, id);
        await appendEvent(
          trx,
          { environmentId, type: 'end_user.deleted', data: { endUserId: id, connectionsDeleted: deleted } },
          outbox,
        );
      });
      return { connectionsDeleted: deleted };
    },

    onPlanChange: (listener) => void listeners.push(listener),
  };
}

function checkId(value: unknown): string {
  const id = typeof value === 'string' ? value.trim() : '';
  if (id === '' || id.length > 255) {
    throw new PatchbayError('validation_failed', 'endUser.id must be 1 to 255 characters', {
      details: { issues: [{ path: 'id', message: 'must be 1 to 255 characters' }] },
    });
  }
  return id;
}

/** A field given (even null) replaces; left out keeps what was there. */
function pick(value: string | null | undefined, existing: string | null | undefined): string | null {
  return value === undefined ? (existing ?? null) : value;
}

function mergeMetadata(
  existing: Record<string, unknown>,
  patch: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (patch === undefined) return existing;
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new PatchbayError('validation_failed', 'End user metadata must be a JSON object');
  }
  checkValueDepth(patch, 'End user metadata');
  const merged = { ...existing };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

function checkMetadata(metadata: Record<string, unknown>): void {
  if (JSON.stringify(metadata).length > MAX_END_USER_METADATA) {
    throw new PatchbayError(
      'validation_failed',
      `End user metadata is limited to ${MAX_END_USER_METADATA} characters of JSON; keep large data in your own database`,
    );
  }
}

function toEndUser(row: Selectable<EndUsersTable>): EndUserRecord {
  return {
    id: row.id,
    environmentId: row.environment_id,
    email: row.email,
    name: row.name,
    organization: row.organization,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    planKey: row.plan_key,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    updatedAt: Number(row.updated_at),
  };
}
