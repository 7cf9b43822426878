/**
 * The plans of an environment: created, replaced and deleted through the API or the plans file,
 * each change a new version in `plan_versions` (the audit trail) and a `plan.updated` event,
 * written in one transaction.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { appendEvent } from '../events/index.ts';
import { type IdFactory, newId } from '../ids/index.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../integrations/db-errors.ts';
import type { Database, PlansTable, Store } from '../store/index.ts';
import { byRank } from './rules.ts';
import { type PlanInput, type PlanRules, planInputSchema } from './schema.ts';
import type { Plan, PlanVersion } from './types.ts';

export interface PlansService {
  /** Every plan of the environment, cheapest first. */
  list(environmentId: string): Promise<Plan[]>;
  get(environmentId: string, key: string): Promise<Plan>;
  /** Creates a plan; `conflict` when the key exists. */
  create(environmentId: string, input: PlanInput, actor: string): Promise<Plan>;
  /**
   * Creates or replaces the plan `input.key`: a new version when anything changed. A plan the
   * plans file owns is refused `conflict` unless the actor is `file`.
   */
  put(environmentId: string, input: PlanInput, actor: string): Promise<{ plan: Plan; changed: boolean }>;
  /** Deletes a plan no end user is on (else `conflict`); its versions stay. */
  delete(environmentId: string, key: string, actor: string): Promise<void>;
  versions(environmentId: string, key: string): Promise<PlanVersion[]>;
  /** Called after every committed change, with the plan key (cache invalidation, pauses). */
  onChange(listener: (environmentId: string, key: string) => Promise<void>): void;
}

export interface PlansServiceOptions {
  store: Pick<Store, 'db'>;
  clock: Clock;
  ids?: IdFactory;
}

export function createPlansService(options: PlansServiceOptions): PlansService {
  const { clock } = options;
  const db = options.store.db;
  const outbox = { clock, newId: options.ids ?? newId };
  const listeners: Array<(environmentId: string, key: string) => Promise<void>> = [];

  async function changed(environmentId: string, key: string): Promise<void> {
    for (const listener of listeners) await listener(environmentId, key);
  }

  async function findRow(executor: Kysely<Database>, environmentId: string, key: string) {
    return executor
      .selectFrom('plans')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  async function write(
    environmentId: string,
    input: PlanInput,
    actor: string,
    mode: 'create' | 'put',
  ): Promise<{ plan: Plan; changed: boolean }> {
    const parsed = parseInput(input);
    const result = await db
      .transaction()
      .execute(async (trx) => {
        const existing = await findRow(trx, environmentId, parsed.key);
        if (existing && mode === 'create') {
          throw new PatchbayError(
            'conflict',
            `A plan with the key "${parsed.key}" exists; replace it with PUT /v1/plans/${parsed.key}`,
            {
              details: { planKey: parsed.key },
            },
          );
        }
        if (existing?.source === 'file' && actor !== 'file') {
          throw new PatchbayError(
            'conflict',
            `The plan "${parsed.key}" comes from the plans file (PATCHBAY_PLANS_FILE); change it there`,
            { details: { planKey: parsed.key, source: 'file' } },
          );
        }
        const definition = JSON.stringify(definitionOf(parsed));
        const isDefault = parsed.default === true ? 1 : 0;
        const source = actor === 'file' ? 'file' : 'api';
        if (
          existing &&
          existing.definition === definition &&
          existing.name === parsed.name &&
          Number(existing.rank) === parsed.rank &&
          Number(existing.is_default) === isDefault &&
          existing.source === source
        ) {
          return { row: existing, changed: false };
        }
        const now = clock.now();
        // A key used before (a deleted plan) continues its version log rather than restarting it.
        const last = existing
          ? { version: Number(existing.version) }
          : await trx
              .selectFrom('plan_versions')
              .select((eb) => eb.fn.max('version').as('version'))
              .where('environment_id', '=', environmentId)
              .where('plan_key', '=', parsed.key)
              .executeTakeFirst();
        const version = Number(last?.version ?? 0) + 1;
        if (isDefault === 1) {
          // One default per environment: the new default takes the place of the old one.
          await trx
            .updateTable('plans')
            .set({ is_default: 0 })
            .where('environment_id', '=', environmentId)
            .where('key', '!=', parsed.key)
            .where('is_default', '=', 1)
            .execute();
        }
        const row: Selectable<PlansTable> = {
          environment_id: environmentId,
          key: parsed.key,
          name: parsed.name,
          rank: parsed.rank,
          is_default: isDefault,
          definition,
          source,
          version,
          created_at: existing ? Number(existing.created_at) : now,
          updated_at: now,
        };
        if (existing) {
          await trx
            .updateTable('plans')
            .set(row)
            .where('environment_id', '=', environmentId)
            .where('key', '=', parsed.key)
            .execute();
        } else {
          await trx.insertInto('plans').values(row).execute();
        }
        const change = existing ? 'updated' : 'created';
        await trx
          .insertInto('plan_versions')
          .values({
            environment_id: environmentId,
            plan_key: parsed.key,
            version,
            change,
            snapshot: JSON.stringify(parsed),
            actor,
            created_at: now,
          })
          .execute();
        await appendEvent(
          trx,
          { environmentId, type: 'plan.updated', data: { planKey: parsed.key, version, change, actor } },
          outbox,
        );
        return { row, changed: true };
      })
      .catch((error: unknown) => {
        if (isForeignKeyViolation(error)) throw notFound('Environment', environmentId);
        // Another request wrote the same plan at the same moment.
        if (isUniqueViolation(error)) {
          throw new PatchbayError(
            'conflict',
            `The plan "${parsed.key}" was changed by another request; try again`,
            {
              details: { planKey: parsed.key },
            },
          );
        }
        throw error;
      });
    if (result.changed) await changed(environmentId, parsed.key);
    return { plan: toPlan(result.row), changed: result.changed };
  }

  return {
    list: (environmentId) => readPlans(db, environmentId),

    async get(environmentId, key) {
      const row = await findRow(db, environmentId, key);
      if (!row) throw notFound('Plan', key.slice(0, 100));
      return toPlan(row);
    },

    async create(environmentId, input, actor) {
      return (await write(environmentId, input, actor, 'create')).plan;
    },

    put: (environmentId, input, actor) => write(environmentId, input, actor, 'put'),

    async delete(environmentId, key, actor) {
      await db
        .transaction()
        .execute(async (trx) => {
          const existing = await findRow(trx, environmentId, key);
          if (!existing) throw notFound('Plan', key.slice(0, 100));
          if (existing.source === 'file' && actor !== 'file') {
            throw new PatchbayError(
              'conflict',
              `The plan "${key}" comes from the plans file (PATCHBAY_PLANS_FILE); remove it there`,
              { details: { planKey: key, source: 'file' } },
            );
          }
          const users = await trx
            .selectFrom('end_users')
            .select((eb) => eb.fn.countAll<number | string>().as('count'))
            .where('environment_id', '=', environmentId)
            .where('plan_key', '=', key)
            .executeTakeFirstOrThrow();
          if (Number(users.count) > 0) {
            throw new PatchbayError(
              'conflict',
              `${users.count} end user(s) are on the plan "${key}"; move them to another plan first`,
              { details: { planKey: key, endUsers: Number(users.count) } },
            );
          }
          await trx
            .deleteFrom('plans')
            .where('environment_id', '=', environmentId)
            .where('key', '=', key)
            .execute();
          const version = Number(existing.version) + 1;
          await trx
            .insertInto('plan_versions')
            .values({
              environment_id: environmentId,
              plan_key: key,
              version,
              change: 'deleted',
              snapshot: JSON.stringify(inputOf(toPlan(existing))),
              actor,
              created_at: clock.now(),
            })
            .execute();
          await appendEvent(
            trx,
            {
              environmentId,
              type: 'plan.updated',
              data: { planKey: key, version, change: 'deleted', actor },
            },
            outbox,
          );
        })
        .catch((error: unknown) => {
          // Another request changed or deleted it at the same moment.
          if (isUniqueViolation(error)) {
            throw new PatchbayError(
              'conflict',
              `The plan "${key}" was changed by another request; try again`,
              {
                details: { planKey: key },
              },
            );
          }
          throw error;
        });
      await changed(environmentId, key);
    },

    async versions(environmentId, key) {
      const rows = await db
        .selectFrom('plan_versions')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('plan_key', '=', key)
        .orderBy('version', 'desc')
        .execute();
      if (rows.length === 0) throw notFound('Plan', key.slice(0, 100));
      return rows.map((row) => ({
        planKey: row.plan_key,
        version: Number(row.version),
        change: row.change as PlanVersion['change'],
        plan: JSON.parse(row.snapshot) as PlanInput,
        actor: row.actor,
        createdAt: Number(row.created_at),
      }));
    },

    onChange: (listener) => void listeners.push(listener),
  };
}

/** The environment's plans, cheapest first, read through `executor` (a caller's transaction). */
export async function readPlans(executor: Kysely<Database>, environmentId: string): Promise<Plan[]> {
  const rows = await executor
    .selectFrom('plans')
    .selectAll()
    .where('environment_id', '=', environmentId)
    .execute();
  return rows.map(toPlan).sort(byRank);
}

/** Validates a plan the way the API does (the file loader and library callers come here too). */
function parseInput(input: PlanInput): PlanInput {
  const result = planInputSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    throw new PatchbayError(
      'validation_failed',
      `Invalid plan: ${issues.map((issue) => `${issue.path || '(plan)'}: ${issue.message}`).join('; ')}`,
      { details: { issues } },
    );
  }
  return result.data;
}

/** The rules and description, as stored in `definition`. */
function definitionOf(input: PlanInput): Record<string, unknown> {
  const { key: _key, name: _name, rank: _rank, default: _default, ...rest } = input;
  return rest;
}

/** A plan back as the input that makes it. */
export function inputOf(plan: Plan): PlanInput {
  return {
    key: plan.key,
    name: plan.name,
    rank: plan.rank,
    ...(plan.isDefault ? { default: true } : {}),
    ...(plan.description === null ? {} : { description: plan.description }),
    ...plan.rules,
  };
}

function toPlan(row: Selectable<PlansTable>): Plan {
  const { description, ...rules } = JSON.parse(row.definition) as PlanInput;
  return {
    key: row.key,
    name: row.name,
    description: description ?? null,
    rank: Number(row.rank),
    isDefault: Number(row.is_default) === 1,
    rules: rules as PlanRules,
    source: row.source === 'file' ? 'file' : 'api',
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
