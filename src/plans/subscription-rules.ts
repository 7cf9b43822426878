/**
 * Plan-from-subscription rules of an environment: created, replaced and deleted through the API
 * or the plans file (which owns the rules it names), validated against the environment's plans.
 * What a rule does is in ./subscription-match.ts; when it runs, in ./subscription-plans.ts.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound, PatchbayError } from '../errors/index.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../integrations/db-errors.ts';
import type { Database, Store, SubscriptionRulesTable } from '../store/index.ts';
import {
  DEFAULT_ACTIVE_STATUSES,
  type SubscriptionRuleInput,
  subscriptionRuleInputSchema,
} from './schema.ts';

/** A rule as stored, with its defaults filled in. */
export interface SubscriptionRule {
  key: string;
  integrationKey: string;
  model: string;
  endUser: SubscriptionRuleInput['endUser'];
  activeStatuses: string[];
  statusPath: string;
  plans: SubscriptionRuleInput['plans'];
  /** Null: the environment's default plan. */
  fallbackPlanKey: string | null;
  source: 'api' | 'file';
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface SubscriptionRulesService {
  /** The environment's rules, by key. */
  list(environmentId: string, executor?: Kysely<Database>): Promise<SubscriptionRule[]>;
  get(environmentId: string, key: string): Promise<SubscriptionRule>;
  /** Creates a rule; `conflict` when the key exists. */
  create(environmentId: string, input: SubscriptionRuleInput, actor: string): Promise<SubscriptionRule>;
  /** Creates or replaces a rule (a new version when anything changed); `created` says which. */
  put(
    environmentId: string,
    input: SubscriptionRuleInput,
    actor: string,
  ): Promise<{ rule: SubscriptionRule; created: boolean; changed: boolean }>;
  delete(environmentId: string, key: string, actor: string): Promise<void>;
  /** Called after a rule was created or changed (the plans layer re-derives its end users' plans). */
  onChange(listener: (environmentId: string, rule: SubscriptionRule) => Promise<void>): void;
}

export interface SubscriptionRulesServiceOptions {
  store: Pick<Store, 'db'>;
  clock: Clock;
  /** The plan keys of the environment (a rule may only name existing plans). */
  planKeys(environmentId: string): Promise<Set<string>>;
}

export function createSubscriptionRulesService(
  options: SubscriptionRulesServiceOptions,
): SubscriptionRulesService {
  const { clock } = options;
  const db = options.store.db;
  const listeners: Array<(environmentId: string, rule: SubscriptionRule) => Promise<void>> = [];

  async function findRow(executor: Kysely<Database>, environmentId: string, key: string) {
    return executor
      .selectFrom('subscription_rules')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  async function write(
    environmentId: string,
    input: SubscriptionRuleInput,
    actor: string,
    mode: 'create' | 'put',
  ): Promise<{ rule: SubscriptionRule; created: boolean; changed: boolean }> {
    const parsed = parseRule(input);
    const known = await options.planKeys(environmentId);
    const named = [...parsed.plans.map((entry) => entry.planKey), parsed.fallbackPlanKey ?? null];
    const unknown = named.filter((key): key is string => key !== null && !known.has(key));
    if (unknown.length > 0) {
      throw new PatchbayError(
        'validation_failed',
        `The subscription rule "${parsed.key}" names plans this environment does not have: ${[...new Set(unknown)].join(', ')}; create them first`,
        {
          details: { issues: unknown.map((key) => ({ path: 'planKey', message: `unknown plan "${key}"` })) },
        },
      );
    }
    const source = actor === 'file' ? 'file' : 'api';
    const result = await db
      .transaction()
      .execute(async (trx) => {
        const existing = await findRow(trx, environmentId, parsed.key);
        if (existing && mode === 'create') {
          throw new PatchbayError(
            'conflict',
            `A subscription rule with the key "${parsed.key}" exists; replace it with PUT /v1/subscription-rules/${parsed.key}`,
            { details: { ruleKey: parsed.key } },
          );
        }
        if (existing?.source === 'file' && actor !== 'file') {
          throw new PatchbayError(
            'conflict',
            `The subscription rule "${parsed.key}" comes from the plans file (PATCHBAY_PLANS_FILE); change it there`,
            { details: { ruleKey: parsed.key, source: 'file' } },
          );
        }
        const definition = JSON.stringify(parsed);
        if (existing && existing.definition === definition && existing.source === source) {
          return { row: existing, created: false, changed: false };
        }
        const now = clock.now();
        const row: Selectable<SubscriptionRulesTable> = {
          environment_id: environmentId,
          key: parsed.key,
          integration_key: parsed.integrationKey,
          definition,
          source,
          version: existing ? Number(existing.version) + 1 : 1,
          created_at: existing ? Number(existing.created_at) : now,
          updated_at: now,
        };
        if (existing) {
          await trx
            .updateTable('subscription_rules')
            .set(row)
            .where('environment_id', '=', environmentId)
            .where('key', '=', parsed.key)
            .execute();
        } else {
          await trx.insertInto('subscription_rules').values(row).execute();
        }
        return { row, created: existing === undefined, changed: true };
      })
      .catch((error: unknown) => {
        if (isForeignKeyViolation(error)) throw notFound('Environment', environmentId);
        if (isUniqueViolation(error)) {
          throw new PatchbayError(
            'conflict',
            `The subscription rule "${parsed.key}" was changed by another request; try again`,
            { details: { ruleKey: parsed.key } },
          );
        }
        throw error;
      });
    const rule = toRule(result.row);
    if (result.changed) for (const listener of listeners) await listener(environmentId, rule);
    return { rule, created: result.created, changed: result.changed };
  }

  return {
    async list(environmentId, executor = db) {
      const rows = await executor
        .selectFrom('subscription_rules')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .orderBy('key')
        .execute();
      return rows.map(toRule);
    },

    async get(environmentId, key) {
      const row = await findRow(db, environmentId, key);
      if (!row) throw notFound('Subscription rule', key.slice(0, 100));
      return toRule(row);
    },

    async create(environmentId, input, actor) {
      return (await write(environmentId, input, actor, 'create')).rule;
    },

    put: (environmentId, input, actor) => write(environmentId, input, actor, 'put'),

    async delete(environmentId, key, actor) {
      const row = await findRow(db, environmentId, key);
      if (!row) throw notFound('Subscription rule', key.slice(0, 100));
      if (row.source === 'file' && actor !== 'file') {
        throw new PatchbayError(
          'conflict',
          `The subscription rule "${key}" comes from the plans file (PATCHBAY_PLANS_FILE); remove it there`,
          { details: { ruleKey: key, source: 'file' } },
        );
      }
      // End users keep the plans the rule gave them: deleting a rule changes no plan.
      await db
        .deleteFrom('subscription_rules')
        .where('environment_id', '=', environmentId)
        .where('key', '=', key)
        .execute();
    },

    onChange: (listener) => void listeners.push(listener),
  };
}

/** Validates a rule the way the API does (the plans file and library callers come here too). */
function parseRule(input: SubscriptionRuleInput): SubscriptionRuleInput {
  const result = subscriptionRuleInputSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    throw new PatchbayError(
      'validation_failed',
      `Invalid subscription rule: ${issues.map((issue) => `${issue.path || '(rule)'}: ${issue.message}`).join('; ')}`,
      { details: { issues } },
    );
  }
  return result.data;
}

function toRule(row: Selectable<SubscriptionRulesTable>): SubscriptionRule {
  const input = JSON.parse(row.definition) as SubscriptionRuleInput;
  return {
    key: row.key,
    integrationKey: row.integration_key,
    model: input.model ?? 'subscriptions',
    endUser: input.endUser,
    activeStatuses: input.activeStatuses ?? [...DEFAULT_ACTIVE_STATUSES],
    statusPath: input.statusPath ?? 'status',
    plans: input.plans,
    fallbackPlanKey: input.fallbackPlanKey ?? null,
    source: row.source === 'file' ? 'file' : 'api',
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** A rule back as the input that makes it (what the API and the plans file show). */
export function ruleInputOf(rule: SubscriptionRule): SubscriptionRuleInput {
  return {
    key: rule.key,
    integrationKey: rule.integrationKey,
    model: rule.model,
    endUser: rule.endUser,
    activeStatuses: rule.activeStatuses,
    statusPath: rule.statusPath,
    plans: rule.plans,
    fallbackPlanKey: rule.fallbackPlanKey,
  };
}
