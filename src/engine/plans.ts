/**
 * Assembles the plans layer: plans (API and file), end users, usage metering and the
 * enforcement the other layers call (connect sessions, connection creation, actions, the proxy,
 * sync pacing), with its routes. Listeners tie changes together: a plan or an end user's plan
 * changing forgets cached plans and pauses or resumes connections; a connection's deletion
 * resumes a paused one of the same end user when the plan now has room.
 */
import type { RouteModule } from '../api/index.ts';
import { endUserRoutes } from '../api/routes/end-users.ts';
import { planRoutes } from '../api/routes/plans.ts';
import { subscriptionRuleRoutes } from '../api/routes/subscription-rules.ts';
import type { Clock } from '../clock/index.ts';
import type { PatchbayConfig } from '../config/index.ts';
import type { ConnectionHooks } from '../connections/hooks.ts';
import type { Logger } from '../logger/index.ts';
import { createEndUsersService, type EndUsersService } from '../plans/end-users.ts';
import { createEntitlements, type Entitlements } from '../plans/entitlements.ts';
import {
  applyPlansFile,
  applySubscriptionRulesFile,
  plansForEnvironment,
  readPlansFile,
  subscriptionRulesForEnvironment,
} from '../plans/file.ts';
import { subscriptionsChangedJobOf } from '../plans/jobs.ts';
import { createPlansService, type PlansService } from '../plans/plans.ts';
import {
  createSubscriptionPlans,
  type SubscriptionPlans,
  type SubscriptionRecordsPort,
} from '../plans/subscription-plans.ts';
import {
  createSubscriptionRulesService,
  type SubscriptionRulesService,
} from '../plans/subscription-rules.ts';
import { createUsageMeter, type UsageMeter } from '../plans/usage.ts';
import type { JobHandlers, TransactionalJobQueue } from '../queue/index.ts';
import type { Store } from '../store/index.ts';
import type { RecordsHooks } from '../syncs/records-hooks.ts';
import type { EngineJobs } from './jobs.ts';
import type { ProvidersLayer } from './providers.ts';

export interface PlansLayerDeps {
  config: PatchbayConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  providers: Pick<ProvidersLayer, 'catalog' | 'connections'>;
}

export interface PlansLayer {
  readonly plans: PlansService;
  readonly endUsers: EndUsersService;
  readonly entitlements: Entitlements;
  readonly meter: UsageMeter;
  readonly subscriptionRules: SubscriptionRulesService;
  /** Loads the plans file (PATCHBAY_PLANS_FILE) into every environment; nothing when unset. */
  loadPlansFile(): Promise<void>;
  /**
   * Plans from subscriptions: every `records.changed` of a model some rule reads queues
   * `plans.subscriptions-changed` in the transaction that wrote the records; a rule's change
   * queues it for each connection of its integration. Call before loadPlansFile.
   */
  registerRecordsHooks(
    hooks: RecordsHooks,
    deps: { records: SubscriptionRecordsPort; queue: TransactionalJobQueue },
  ): void;
  jobHandlers(): JobHandlers<EngineJobs>;
  /** Records end users and checks plans when connections are created; resumes on deletion. */
  registerConnectionHooks(hooks: ConnectionHooks): void;
  routes(): RouteModule[];
  /** Writes pending usage counts. */
  close(): Promise<void>;
}

export function createPlansLayer(deps: PlansLayerDeps): PlansLayer {
  const { config, store, clock, logger, providers } = deps;
  const meter = createUsageMeter({ store, clock, logger });
  const plans = createPlansService({ store, clock });
  const endUsers = createEndUsersService({
    store,
    clock,
    planExists: async (environmentId, key) =>
      (await plans.list(environmentId)).some((plan) => plan.key === key),
    connectionIds: async (environmentId, endUserId) => {
      const rows = await store.db
        .selectFrom('connections')
        .select('id')
        .where('environment_id', '=', environmentId)
        .where('end_user_id', '=', endUserId)
        .orderBy('id')
        .execute();
      return rows.map((row) => row.id);
    },
    deleteConnection: async (environmentId, connectionId) => {
      await providers.connections.delete(environmentId, connectionId);
    },
    forgetUsage: (trx, environmentId, endUserId) => meter.forgetIn(trx, environmentId, endUserId),
  });
  const entitlements = createEntitlements({
    store,
    clock,
    endUsers,
    meter,
    categoriesOf: (provider) => providers.catalog.get(provider)?.categories ?? [],
  });

  const subscriptionRules = createSubscriptionRulesService({
    store,
    clock,
    planKeys: async (environmentId) => new Set((await plans.list(environmentId)).map((plan) => plan.key)),
  });
  let subscriptionPlans: SubscriptionPlans | undefined;
  let jobQueue: TransactionalJobQueue | undefined;

  plans.onChange(async (environmentId, key) => {
    entitlements.invalidate(environmentId);
    await entitlements.rebalancePlan(environmentId, key);
  });
  endUsers.onPlanChange(async (environmentId, endUserId) => {
    entitlements.invalidate(environmentId, endUserId);
    await entitlements.rebalance(environmentId, endUserId);
  });

  subscriptionRules.onChange(async (environmentId, rule) => {
    // Every end user the rule may now judge differently: each connection of its integration is
    // looked at from the start, by a job (a rule may cover many thousand subscriptions).
    if (!subscriptionPlans || !jobQueue) return;
    const queue = jobQueue;
    const connectionIds = await subscriptionPlans.connectionsOf(environmentId, rule.integrationKey);
    if (connectionIds.length === 0) return;
    await store.db.transaction().execute((trx) =>
      queue.enqueueManyIn(
        trx,
        connectionIds.map((id) => subscriptionsChangedJobOf(environmentId, id, rule.model, 0)),
      ),
    );
  });

  return {
    plans,
    endUsers,
    entitlements,
    meter,
    subscriptionRules,

    async loadPlansFile() {
      if (!config.plansFile) return;
      const file = await readPlansFile(config.plansFile);
      const environments = await store.db
        .selectFrom('environments')
        .select(['id', 'name'])
        .orderBy('created_at')
        .execute();
      for (const environment of environments) {
        await applyPlansFile(plans, environment.id, plansForEnvironment(file, environment.name), logger);
        await applySubscriptionRulesFile(
          subscriptionRules,
          environment.id,
          subscriptionRulesForEnvironment(file, environment.name),
        );
      }
    },

    registerRecordsHooks(hooks, deps) {
      jobQueue = deps.queue;
      subscriptionPlans = createSubscriptionPlans({
        store,
        rules: subscriptionRules,
        plans: (environmentId) => entitlements.plans(environmentId),
        endUsers,
        records: deps.records,
        logger,
      });
      hooks.onChanged(async (change) => {
        // Read in the writing transaction: on SQLite a read outside it would wait for its lock.
        const rules = await subscriptionRules.list(change.environmentId, change.trx);
        const concerned = rules.some(
          (rule) => rule.integrationKey === change.integrationKey && rule.model === change.model,
        );
        if (!concerned) return;
        await deps.queue.enqueueManyIn(change.trx, [
          subscriptionsChangedJobOf(change.environmentId, change.connectionId, change.model, change.since),
        ]);
      });
    },

    jobHandlers: () => ({
      'plans.subscriptions-changed': async (payload, context) => {
        if (!subscriptionPlans) return;
        const environmentId = context.job.environmentId;
        if (!environmentId) return;
        await subscriptionPlans.recordsChanged(
          environmentId,
          payload.connectionId,
          payload.model,
          payload.since,
        );
      },
    }),

    registerConnectionHooks(hooks) {
      hooks.onCreated((event) => entitlements.connectionCreated(event));
      hooks.onDeleted(async (event) => {
        // Only an end user with paused connections can gain from the freed place.
        const paused = await event.trx
          .selectFrom('connection_pauses')
          .select('connection_id')
          .where('environment_id', '=', event.environmentId)
          .where('end_user_id', '=', event.endUserId)
          .limit(1)
          .executeTakeFirst();
        if (paused) await entitlements.rebalance(event.environmentId, event.endUserId, event.trx);
      });
    },

    routes: () => [
      planRoutes(plans),
      subscriptionRuleRoutes(subscriptionRules),
      endUserRoutes({ endUsers, entitlements, connections: providers.connections }),
    ],

    close: () => meter.close(),
  };
}
