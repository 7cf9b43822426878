/**
 * Plans that follow subscriptions: when a connection's subscription records change (a sync run or
 * a webhook handler wrote them; the plans layer queues `plans.subscriptions-changed` in that
 * transaction), the end users those records belong to get the plan the rules derive, set with the
 * source `subscription` — which emits `end_user.plan_changed` and pauses or resumes their
 * connections like any plan change. Nothing here knows a provider: rules name an integration, a
 * record model and paths into its records.
 *
 * Cost: records of a rule whose owner is read from metadata or the customer's email are scanned
 * once per job for all the integration's connections (a job handles one change, however many
 * end users it touches); rules owned by the connection's end user read only that end user's
 * connections.
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../logger/index.ts';
import type { Database, Store } from '../store/index.ts';
import { isObject } from '../values/path.ts';
import type { EndUsersService } from './end-users.ts';
import { derivePlan, type SubscriptionFacts, type SubscriptionOutcome } from './subscription-match.ts';
import type { SubscriptionRule, SubscriptionRulesService } from './subscription-rules.ts';
import type { Plan } from './types.ts';

/** A page of a connection's records of one model, as the records store gives it. */
export interface RecordsPageOf {
  data: Array<{
    id: string;
    data: Record<string, unknown>;
    deleted: boolean;
    modifiedAt: number;
  }>;
  nextAfter: string | null;
}

/** What this module reads of the records store (src/syncs/records), through the engine. */
export interface SubscriptionRecordsPort {
  list(
    environmentId: string,
    connectionId: string,
    model: string,
    options: { after?: string; limit: number; modifiedSince?: number; includeDeleted?: boolean },
  ): Promise<RecordsPageOf>;
  /** One live record, or null. */
  find(
    environmentId: string,
    connectionId: string,
    model: string,
    id: string,
  ): Promise<{ data: Record<string, unknown> } | null>;
}

export interface SubscriptionPlans {
  /**
   * Re-derives the plan of every end user whose records of `model` in the connection were
   * modified at or after `since` (epoch ms), under the rules of the connection's integration.
   * Returns how many end users were looked at and how many plans moved.
   */
  recordsChanged(
    environmentId: string,
    connectionId: string,
    model: string,
    since: number,
  ): Promise<{ endUsers: number; changed: number }>;
  /** The connections whose records a rule reads (after it changed, each is looked at again). */
  connectionsOf(environmentId: string, integrationKey: string): Promise<string[]>;
}

export interface SubscriptionPlansOptions {
  store: Pick<Store, 'db'>;
  rules: Pick<SubscriptionRulesService, 'list'>;
  plans(environmentId: string): Promise<Plan[]>;
  endUsers: Pick<EndUsersService, 'find' | 'setPlan'>;
  records: SubscriptionRecordsPort;
  logger?: Logger;
}

const PAGE = 500;
/** The customer model a subscription's `customerId` points to (src/models/commerce.ts). */
const CUSTOMERS = 'customers';

interface ConnectionRow {
  id: string;
  endUserId: string;
}

export function createSubscriptionPlans(options: SubscriptionPlansOptions): SubscriptionPlans {
  const { records, logger } = options;
  const db = options.store.db;

  async function connectionsOfIntegration(
    executor: Kysely<Database>,
    environmentId: string,
    integrationKey: string,
    endUserId?: string,
  ): Promise<ConnectionRow[]> {
    return executor
      .selectFrom('connections')
      .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
      .select(['connections.id as id', 'connections.end_user_id as endUserId'])
      .where('connections.environment_id', '=', environmentId)
      .where('integrations.key', '=', integrationKey)
      .$if(endUserId !== undefined, (query) => query.where('connections.end_user_id', '=', endUserId!))
      .orderBy('connections.id')
      .execute();
  }

  async function* recordsOf(
    environmentId: string,
    connectionId: string,
    model: string,
    since?: number,
  ): AsyncGenerator<SubscriptionFacts> {
    let after: string | undefined;
    do {
      const page = await records.list(environmentId, connectionId, model, {
        limit: PAGE,
        includeDeleted: true,
        ...(after === undefined ? {} : { after }),
        ...(since === undefined ? {} : { modifiedSince: since }),
      });
      yield* page.data;
      after = page.nextAfter ?? undefined;
    } while (after !== undefined);
  }

  /** One job's view: owners of records and end users by email, each read once. */
  function jobScope(environmentId: string) {
    const customers = new Map<string, Promise<Record<string, unknown> | null>>();
    const byEmail = new Map<string, Promise<string[]>>();
    const grouped = new Map<string, Promise<Map<string, SubscriptionFacts[]>>>();

    function customerOf(connectionId: string, customerId: string) {
      const key = `${connectionId}\u0000${customerId}`;
      let found = customers.get(key);
      if (!found) {
        found = records
          .find(environmentId, connectionId, CUSTOMERS, customerId)
          .then((record) => record?.data ?? null);
        customers.set(key, found);
      }
      return found;
    }

    function endUsersWithEmail(email: string) {
      let found = byEmail.get(email);
      if (!found) {
        // The email as given or lower-cased: the index on (environment_id, email) serves both.
        found = db
          .selectFrom('end_users')
          .select('id')
          .where('environment_id', '=', environmentId)
          .where('email', 'in', [...new Set([email, email.toLowerCase()])])
          .orderBy('id')
          .execute()
          .then((rows) => rows.map((row) => row.id));
        byEmail.set(email, found);
      }
      return found;
    }

    /** The end users a record belongs to under the rule. */
    async function ownersOf(
      rule: SubscriptionRule,
      connection: ConnectionRow,
      record: SubscriptionFacts,
    ): Promise<string[]> {
      const owner = rule.endUser;
      if (owner.from === 'connection') return [connection.endUserId];
      const customerId = typeof record.data.customerId === 'string' ? record.data.customerId : null;
      if (owner.from === 'metadata') {
        const own = metadataValue(record.data, owner.key);
        if (own !== undefined) return [own];
        const customer = customerId ? await customerOf(connection.id, customerId) : null;
        const inherited = customer ? metadataValue(customer, owner.key) : undefined;
        return inherited === undefined ? [] : [inherited];
      }
      const customer = customerId ? await customerOf(connection.id, customerId) : null;
      const email = customer && typeof customer.email === 'string' ? customer.email.trim() : '';
      return email === '' ? [] : endUsersWithEmail(email);
    }

    /** Every record of the rule's integration, by owner (rules not owned by the connection). */
    function groupedBy(rule: SubscriptionRule) {
      let found = grouped.get(rule.key);
      if (!found) {
        found = (async () => {
          const byOwner = new Map<string, SubscriptionFacts[]>();
          for (const connection of await connectionsOfIntegration(db, environmentId, rule.integrationKey)) {
            for await (const record of recordsOf(environmentId, connection.id, rule.model)) {
              for (const owner of await ownersOf(rule, connection, record)) {
                const list = byOwner.get(owner) ?? [];
                list.push(record);
                byOwner.set(owner, list);
              }
            }
          }
          return byOwner;
        })();
        grouped.set(rule.key, found);
      }
      return found;
    }

    /** The end user's records under the rule. */
    async function recordsOfOwner(rule: SubscriptionRule, endUserId: string): Promise<SubscriptionFacts[]> {
      if (rule.endUser.from !== 'connection') return (await groupedBy(rule)).get(endUserId) ?? [];
      const list: SubscriptionFacts[] = [];
      const own = await connectionsOfIntegration(db, environmentId, rule.integrationKey, endUserId);
      for (const connection of own) {
        for await (const record of recordsOf(environmentId, connection.id, rule.model)) list.push(record);
      }
      return list;
    }

    return { ownersOf, recordsOfOwner };
  }

  async function apply(
    environmentId: string,
    endUserId: string,
    outcome: SubscriptionOutcome,
  ): Promise<boolean> {
    const current = await options.endUsers.find(environmentId, endUserId);
    if (current && current.planKey === outcome.planKey) return false;
    await options.endUsers.setPlan(environmentId, endUserId, outcome.planKey, {
      source: 'subscription',
      subscription: {
        ruleKey: outcome.ruleKey,
        integrationKey: outcome.integrationKey,
        subscriptionId: outcome.subscriptionId,
        status: outcome.status,
      },
    });
    return true;
  }

  return {
    async recordsChanged(environmentId, connectionId, model, since) {
      const connection = await db
        .selectFrom('connections')
        .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
        .select(['connections.id as id', 'connections.end_user_id as endUserId', 'integrations.key as key'])
        .where('connections.environment_id', '=', environmentId)
        .where('connections.id', '=', connectionId)
        .executeTakeFirst();
      // Deleted since: its records went with it, and nothing else changed.
      if (!connection) return { endUsers: 0, changed: 0 };
      const rules = await options.rules.list(environmentId);
      const concerned = rules.filter(
        (rule) => rule.integrationKey === connection.key && rule.model === model,
      );
      if (concerned.length === 0) return { endUsers: 0, changed: 0 };
      const plans = await options.plans(environmentId);
      const scope = jobScope(environmentId);

      const affected = new Set<string>();
      for await (const record of recordsOf(environmentId, connectionId, model, since)) {
        for (const rule of concerned) {
          for (const owner of await scope.ownersOf(rule, connection, record)) affected.add(owner);
        }
      }
      let changed = 0;
      for (const endUserId of affected) {
        const facts = new Map<string, SubscriptionFacts[]>();
        for (const rule of rules) facts.set(rule.key, await scope.recordsOfOwner(rule, endUserId));
        const outcome = derivePlan(rules, plans, (rule) => facts.get(rule.key) ?? []);
        if (!outcome) continue;
        try {
          if (await apply(environmentId, endUserId, outcome)) changed += 1;
        } catch (error) {
          // An id the host's metadata holds that is no valid end user id: nothing to set.
          logger?.warn(
            { err: error, environmentId, ruleKey: outcome.ruleKey },
            'a plan from a subscription could not be set',
          );
          if (!isValidationError(error)) throw error;
        }
      }
      return { endUsers: affected.size, changed };
    },

    async connectionsOf(environmentId, integrationKey) {
      return (await connectionsOfIntegration(db, environmentId, integrationKey)).map((row) => row.id);
    },
  };
}

/** A string value of `metadata[key]` in a record, or undefined. */
function metadataValue(data: Record<string, unknown>, key: string): string | undefined {
  const metadata = data.metadata;
  if (!isObject(metadata) || !Object.hasOwn(metadata, key)) return undefined;
  const value = metadata[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isValidationError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'validation_failed';
}
