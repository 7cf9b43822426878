/**
 * Enforcement of plans in the engine: what a connect session may offer, whether a connection may
 * be created, whether an action or a proxied call may run, how fast syncs run, which connections
 * a downgrade pauses — and the usage metering those checks read. An environment without plans
 * is never limited: every check returns at its first step.
 *
 * The proxy path stays cheap: the environment's plans, each end user's plan and each
 * connection's identity are remembered for `cacheMs` (and forgotten at once in this process when
 * they change), so a proxied call costs a few map lookups and a counter increment.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { appendEvent } from '../events/index.ts';
import { type IdFactory, newId } from '../ids/index.ts';
import type { Database, Store } from '../store/index.ts';
import type { EndUsersService } from './end-users.ts';
import { periodBounds, periodOf } from './period.ts';
import { readPlans } from './plans.ts';
import {
  actionAllowed,
  cheapestPlan,
  connectionLimitBroken,
  connectionsLimit,
  frequencyFloorMs,
  type IntegrationFacts,
  integrationAllowed,
  planName,
  planRef,
  planRefusal,
  quotaOf,
} from './rules.ts';
import { USAGE_METRICS, type UsageMetric } from './schema.ts';
import type { LockedIntegration, Plan, PlanRefusalDetails, UsageReport } from './types.ts';
import type { UsageMeter } from './usage.ts';

export interface ConnectSessionCheck {
  endUser: { id: string; email?: string | null; organization?: string | null };
  /** The integration keys asked for (existing and enabled), or null for every enabled one. */
  allowed: string[] | null;
  /** A reconnect session's connection. */
  connectionId: string | null;
}

export interface ConnectSessionVerdict {
  /** What the session offers: the keys asked for minus the locked ones (null: every enabled one). */
  allowed: string[] | null;
  /** Integrations held back by the plan, with why; null when the environment has no plans. */
  locked: LockedIntegration[] | null;
}

/** What the sync scheduler asks before a scheduled run. */
export interface SyncPace {
  /** False when the connection is paused by its plan or its synced-records quota is used up. */
  run: boolean;
  /** The schedule's frequency raised to the plan's shortest one. */
  frequencyMs: number;
}

export interface Entitlements {
  /** The environment's plans, cheapest first (cached). */
  plans(environmentId: string, executor?: Kysely<Database>): Promise<Plan[]>;
  /** The plan that applies to the end user: theirs, else the default; null when none applies. */
  planOf(environmentId: string, endUserId: string, executor?: Kysely<Database>): Promise<Plan | null>;
  /** Records the end user and decides what a connect session may offer; throws when it may offer nothing asked for. */
  connectSession(environmentId: string, check: ConnectSessionCheck): Promise<ConnectSessionVerdict>;
  /**
   * What the end user's plan says of each enabled integration, without refusing anything: `lock`
   * is what a new connection of it would be refused with (null: allowed). The hub's tiles.
   */
  integrationStates(
    environmentId: string,
    endUserId: string,
  ): Promise<Array<{ integrationKey: string; lock: LockedIntegration | null }>>;
  /** In the transaction creating a connection: records the end user, refuses what the plan does not allow. */
  connectionCreated(event: {
    trx: Kysely<Database>;
    environmentId: string;
    connectionId: string;
    endUserId: string;
  }): Promise<void>;
  /** Before an action run is stored: the connection is not paused, the action is in the plan, the quota has room. */
  beforeAction(environmentId: string, connectionId: string, action: string): Promise<void>;
  /**
   * Before a sync run someone asked for (trigger, run now): refused with `plan_limit_reached`
   * (`limit: "paused"`) while the plan keeps the connection paused.
   */
  beforeManualSync(environmentId: string, connectionId: string): Promise<void>;
  /** Counts one action run (when its script is called). */
  actionRan(environmentId: string, connectionId: string): Promise<void>;
  /** Before a proxied call: checks the connection and the quota, and counts the call. */
  beforeProxyCall(environmentId: string, connectionId: string): Promise<void>;
  /** Counts records a sync wrote (added or changed). */
  recordsSynced(environmentId: string, connectionId: string, count: number): Promise<void>;
  /** Whether and how often a connection's scheduled sync runs under its plan. */
  pace(
    environmentId: string,
    connectionId: string,
    frequencyMs: number,
    executor?: Kysely<Database>,
  ): Promise<SyncPace>;
  /**
   * Pauses the end user's connections over their plan's limits (the most recently used stay
   * active) and resumes those within them, with `connection.paused` / `connection.resumed`.
   */
  rebalance(
    environmentId: string,
    endUserId: string,
    executor?: Kysely<Database>,
  ): Promise<{ paused: string[]; resumed: string[] }>;
  /** Rebalances every end user the plan applies to (after the plan changed). */
  rebalancePlan(environmentId: string, planKey: string): Promise<void>;
  /** The end user's usage and limits in a period (`YYYY-MM`, default the current one). */
  usage(environmentId: string, endUserId: string, period?: string): Promise<UsageReport>;
  /** The connection ids the plan keeps paused, of one end user. */
  pausedConnections(environmentId: string, endUserId: string): Promise<Map<string, string>>;
  /** Forgets cached plans (after a plan change) or one end user's plan and connections. */
  invalidate(environmentId: string, endUserId?: string): void;
}

export interface EntitlementsOptions {
  store: Pick<Store, 'db'>;
  clock: Clock;
  endUsers: Pick<EndUsersService, 'touch' | 'find'>;
  meter: UsageMeter;
  /** The categories of a provider (from its definition). */
  categoriesOf(provider: string): readonly string[];
  /** How long cached plans, end users' plans and connections are trusted. Default 5000 ms. */
  cacheMs?: number;
  ids?: IdFactory;
}

/** Entries per cache (end users' plans, connections) before it starts over. */
const MAX_CACHED = 100_000;

interface ConnectionEntry {
  endUserId: string;
  integrationKey: string;
  provider: string;
  paused: boolean;
  readAt: number;
}

export function createEntitlements(options: EntitlementsOptions): Entitlements {
  const { clock, meter, categoriesOf } = options;
  const db = options.store.db;
  const cacheMs = options.cacheMs ?? 5000;
  const outbox = { clock, newId: options.ids ?? newId };
  const plansCache = new Map<string, { plans: Plan[]; readAt: number }>();
  const endUserPlans = new Map<string, { planKey: string | null; readAt: number }>();
  const connectionsCache = new Map<string, ConnectionEntry>();
  const fresh = (readAt: number) => clock.now() - readAt < cacheMs;
  /** Remembers at most MAX_CACHED entries: past that, the cache starts over (entries are cheap to read again). */
  const remember = <V>(map: Map<string, V>, key: string, value: V) => {
    if (map.size >= MAX_CACHED && !map.has(key)) map.clear();
    map.set(key, value);
  };
  const userKey = (environmentId: string, endUserId: string) => `${environmentId}\u0000${endUserId}`;

  async function plans(environmentId: string, executor: Kysely<Database> = db): Promise<Plan[]> {
    const cached = plansCache.get(environmentId);
    if (cached && fresh(cached.readAt)) return cached.plans;
    const list = await readPlans(executor, environmentId);
    plansCache.set(environmentId, { plans: list, readAt: clock.now() });
    return list;
  }

  async function planOf(
    environmentId: string,
    endUserId: string,
    executor: Kysely<Database> = db,
  ): Promise<Plan | null> {
    const list = await plans(environmentId, executor);
    if (list.length === 0) return null;
    const key = userKey(environmentId, endUserId);
    let cached = endUserPlans.get(key);
    if (!cached || !fresh(cached.readAt)) {
      const endUser = await options.endUsers.find(environmentId, endUserId, executor);
      cached = { planKey: endUser?.planKey ?? null, readAt: clock.now() };
      remember(endUserPlans, key, cached);
    }
    const planKey = cached.planKey;
    return (
      (planKey === null ? undefined : list.find((plan) => plan.key === planKey)) ??
      list.find((plan) => plan.isDefault) ??
      null
    );
  }

  async function connectionOf(environmentId: string, connectionId: string): Promise<ConnectionEntry | null> {
    const cached = connectionsCache.get(connectionId);
    if (cached && fresh(cached.readAt)) return cached;
    const row = await db
      .selectFrom('connections')
      .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
      .leftJoin('connection_pauses', 'connection_pauses.connection_id', 'connections.id')
      .select([
        'connections.end_user_id as endUserId',
        'integrations.key as integrationKey',
        'integrations.provider as provider',
        'connection_pauses.connection_id as pausedId',
      ])
      .where('connections.environment_id', '=', environmentId)
      .where('connections.id', '=', connectionId)
      .executeTakeFirst();
    if (!row) return null;
    const entry = {
      endUserId: row.endUserId,
      integrationKey: row.integrationKey,
      provider: row.provider,
      paused: row.pausedId !== null,
      readAt: clock.now(),
    };
    remember(connectionsCache, connectionId, entry);
    return entry;
  }

  /** The integrations of the environment by key: their provider's categories, and whether enabled. */
  async function integrationsOf(executor: Kysely<Database>, environmentId: string) {
    const rows = await executor
      .selectFrom('integrations')
      .select(['key', 'provider', 'enabled'])
      .where('environment_id', '=', environmentId)
      .orderBy('key')
      .execute();
    return new Map(
      rows.map((row) => [
        row.key,
        { key: row.key, categories: categoriesOf(row.provider), enabled: Number(row.enabled) === 1 },
      ]),
    );
  }

  /** The end user's connections the plan counts (not paused), as integration facts. */
  async function keptConnections(
    executor: Kysely<Database>,
    environmentId: string,
    endUserId: string,
    except?: string,
  ) {
    const rows = await executor
      .selectFrom('connections')
      .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
      .leftJoin('connection_pauses', 'connection_pauses.connection_id', 'connections.id')
      .select(['connections.id as id', 'integrations.key as key', 'integrations.provider as provider'])
      .where('connections.environment_id', '=', environmentId)
      .where('connections.end_user_id', '=', endUserId)
      .where('connection_pauses.connection_id', 'is', null)
      .$if(except !== undefined, (query) => query.where('connections.id', '!=', except!))
      .execute();
    return rows.map((row): IntegrationFacts => ({ key: row.key, categories: categoriesOf(row.provider) }));
  }

  /** Why the plan refuses a new connection of `integration`, or null. */
  function refusalOf(
    list: readonly Plan[],
    plan: Plan,
    endUserId: string,
    integration: IntegrationFacts,
    kept: readonly IntegrationFacts[],
  ): LockedIntegration | null {
    const base = { endUserId, plan: planRef(plan), integrationKey: integration.key };
    if (!integrationAllowed(plan, integration)) {
      return {
        integrationKey: integration.key,
        code: 'plan_upgrade_required',
        details: {
          ...base,
          limit: 'integration',
          requiredPlan: cheapestPlan(list, (candidate) => integrationAllowed(candidate, integration)),
        },
      };
    }
    const broken = connectionLimitBroken(plan, kept, integration);
    if (!broken) return null;
    const allows = (candidate: Plan) =>
      integrationAllowed(candidate, integration) &&
      connectionLimitBroken(candidate, kept, integration) === null;
    return {
      integrationKey: integration.key,
      code: 'plan_limit_reached',
      details: {
        ...base,
        limit: broken.limit,
        ...(broken.limit === 'category' ? { category: broken.category } : {}),
        max: broken.max,
        usage: broken.usage,
        requiredPlan: cheapestPlan(list, allows),
      },
    };
  }

  function lockedError(lock: LockedIntegration, plan: Plan) {
    const details = lock.details;
    const message =
      lock.code === 'plan_upgrade_required'
        ? `The integration "${lock.integrationKey}" is not included in ${planName(plan)}.`
        : details.limit === 'category'
          ? `${planName(plan)} allows ${details.max} ${details.category} connection(s) and ${details.usage} exist.`
          : `${planName(plan)} allows ${details.max} connection(s) and ${details.usage} exist.`;
    return planRefusal(lock.code, capitalize(message), details);
  }

  const factsOf = (entry: ConnectionEntry): IntegrationFacts => ({
    key: entry.integrationKey,
    categories: categoriesOf(entry.provider),
  });

  async function checkConnection(environmentId: string, connectionId: string, action?: string) {
    const entry = await connectionOf(environmentId, connectionId);
    // An unknown connection: the call itself answers not_found.
    if (!entry) return null;
    const plan = await planOf(environmentId, entry.endUserId);
    if (!plan) return { entry, plan: null };
    const list = await plans(environmentId);
    const base = {
      endUserId: entry.endUserId,
      plan: planRef(plan),
      integrationKey: entry.integrationKey,
      connectionId,
    };
    if (entry.paused) {
      throw planRefusal(
        'plan_limit_reached',
        `Connection ${connectionId} is paused: ${planName(plan)} allows fewer connections than the end user has. Upgrade, or delete another connection to resume it.`,
        { ...base, limit: 'paused', requiredPlan: null },
      );
    }
    if (action !== undefined && !actionAllowed(plan, entry.integrationKey, action)) {
      throw planRefusal(
        'plan_upgrade_required',
        `The action "${action}" is not included in ${planName(plan)}.`,
        {
          ...base,
          limit: 'action',
          action,
          requiredPlan: cheapestPlan(
            list,
            (candidate) =>
              integrationAllowed(candidate, factsOf(entry)) &&
              actionAllowed(candidate, entry.integrationKey, action),
          ),
        },
      );
    }
    return { entry, plan };
  }

  async function checkQuota(
    environmentId: string,
    entry: ConnectionEntry,
    plan: Plan,
    metric: UsageMetric,
    connectionId: string,
  ) {
    const { endUserId, integrationKey } = entry;
    const max = quotaOf(plan, metric);
    if (max === null) return;
    const used = await meter.current(environmentId, endUserId, metric);
    if (used < max) return;
    const list = await plans(environmentId);
    const period = periodOf(clock.now());
    const details: PlanRefusalDetails = {
      limit: 'quota',
      metric,
      endUserId,
      connectionId,
      integrationKey,
      plan: planRef(plan),
      max,
      usage: used,
      resetsAt: new Date(period.end).toISOString(),
      requiredPlan: cheapestPlan(list, (candidate) => {
        const quota = quotaOf(candidate, metric);
        return integrationAllowed(candidate, factsOf(entry)) && (quota === null || quota > used);
      }),
    };
    throw planRefusal(
      'quota_exceeded',
      `The monthly quota of ${metric} of ${planName(plan)} (${max}) is used up until ${details.resetsAt}.`,
      details,
    );
  }

  async function rebalance(environmentId: string, endUserId: string, executor?: Kysely<Database>) {
    const plan = await planOf(environmentId, endUserId, executor ?? db);
    const body = async (trx: Kysely<Database>) => {
      const rows = await trx
        .selectFrom('connections')
        .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
        .leftJoin('connection_pauses', 'connection_pauses.connection_id', 'connections.id')
        .select((eb) => [
          'connections.id as id',
          'connections.integration_id as integrationId',
          'integrations.key as integrationKey',
          'integrations.provider as provider',
          'connections.created_at as createdAt',
          'connections.last_refreshed_at as refreshedAt',
          'connection_pauses.connection_id as pausedId',
          eb
            .selectFrom('sync_schedules')
            .select((inner) => inner.fn.max('sync_schedules.last_success_at').as('at'))
            .whereRef('sync_schedules.connection_id', '=', 'connections.id')
            .as('syncedAt'),
          eb
            .selectFrom('request_logs')
            .select('request_logs.created_at')
            .whereRef('request_logs.environment_id', '=', 'connections.environment_id')
            .whereRef('request_logs.connection_id', '=', 'connections.id')
            .orderBy('request_logs.id', 'desc')
            .limit(1)
            .as('calledAt'),
        ])
        .where('connections.environment_id', '=', environmentId)
        .where('connections.end_user_id', '=', endUserId)
        .execute();
      const lastUsed = (row: (typeof rows)[number]) =>
        Math.max(
          Number(row.createdAt),
          Number(row.refreshedAt ?? 0),
          Number(row.syncedAt ?? 0),
          Number(row.calledAt ?? 0),
        );
      // Most recently used first: they are the ones kept when the plan allows fewer.
      const ordered = [...rows].sort((a, b) => lastUsed(b) - lastUsed(a) || (a.id < b.id ? -1 : 1));
      const kept: IntegrationFacts[] = [];
      const paused: string[] = [];
      const resumed: string[] = [];
      const now = clock.now();
      for (const row of ordered) {
        const facts = { key: row.integrationKey, categories: categoriesOf(row.provider) };
        const reason = !plan
          ? null
          : !integrationAllowed(plan, facts)
            ? 'integration'
            : (() => {
                const broken = connectionLimitBroken(plan, kept, facts);
                return broken === null
                  ? null
                  : broken.limit === 'category'
                    ? `category:${broken.category}`
                    : 'connections';
              })();
        const data = {
          connectionId: row.id,
          integrationId: row.integrationId,
          integrationKey: row.integrationKey,
          provider: row.provider,
          endUserId,
        };
        if (reason === null) {
          kept.push(facts);
          if (row.pausedId !== null) {
            await trx.deleteFrom('connection_pauses').where('connection_id', '=', row.id).execute();
            await appendEvent(trx, { environmentId, type: 'connection.resumed', data }, outbox);
            resumed.push(row.id);
          }
        } else if (row.pausedId === null) {
          await trx
            .insertInto('connection_pauses')
            .values({
              connection_id: row.id,
              environment_id: environmentId,
              end_user_id: endUserId,
              reason,
              paused_at: now,
            })
            .execute();
          await appendEvent(
            trx,
            { environmentId, type: 'connection.paused', data: { ...data, reason } },
            outbox,
          );
          paused.push(row.id);
        }
      }
      return { paused, resumed };
    };
    // Inside the caller's transaction (a connection's deletion), or in one of its own.
    const result = executor ? await body(executor) : await db.transaction().execute(body);
    for (const id of [...result.paused, ...result.resumed]) connectionsCache.delete(id);
    return result;
  }

  return {
    plans,
    planOf,

    async connectSession(environmentId, check) {
      await options.endUsers.touch(environmentId, check.endUser);
      const list = await plans(environmentId);
      if (list.length === 0) return { allowed: check.allowed, locked: null };
      const plan = await planOf(environmentId, check.endUser.id);
      if (!plan) return { allowed: check.allowed, locked: [] };
      const integrations = await integrationsOf(db, environmentId);
      if (check.connectionId !== null) {
        // A reconnect replaces credentials: no new connection, so only the integration must be in the plan.
        const key = check.allowed?.[0];
        const integration = key === undefined ? undefined : integrations.get(key);
        if (integration && !integrationAllowed(plan, integration)) {
          const lock = refusalOf(list, plan, check.endUser.id, integration, []);
          if (lock) throw lockedError(lock, plan);
        }
        return { allowed: check.allowed, locked: [] };
      }
      const kept = await keptConnections(db, environmentId, check.endUser.id);
      const wanted = check.allowed ?? [...integrations.values()].filter((i) => i.enabled).map((i) => i.key);
      const locked: LockedIntegration[] = [];
      const offered: string[] = [];
      for (const key of wanted) {
        const integration = integrations.get(key);
        if (!integration) continue;
        const lock = refusalOf(list, plan, check.endUser.id, integration, kept);
        if (lock) locked.push(lock);
        else offered.push(key);
      }
      if (check.allowed !== null && offered.length === 0 && locked[0]) {
        // The first refusal, with every locked integration beside it (copies: no cycle in the details).
        throw lockedError(
          {
            ...locked[0],
            details: {
              ...locked[0].details,
              locked: locked.map((lock) => ({ ...lock })),
            } as PlanRefusalDetails,
          },
          plan,
        );
      }
      return { allowed: locked.length === 0 ? check.allowed : offered, locked };
    },

    async integrationStates(environmentId, endUserId) {
      const integrations = [...(await integrationsOf(db, environmentId)).values()].filter((i) => i.enabled);
      const list = await plans(environmentId);
      const plan = list.length === 0 ? null : await planOf(environmentId, endUserId);
      if (!plan) return integrations.map((integration) => ({ integrationKey: integration.key, lock: null }));
      const kept = await keptConnections(db, environmentId, endUserId);
      return integrations.map((integration) => ({
        integrationKey: integration.key,
        lock: refusalOf(list, plan, endUserId, integration, kept),
      }));
    },

    async connectionCreated({ trx, environmentId, connectionId, endUserId }) {
      const row = await trx
        .selectFrom('connections')
        .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
        .select([
          'connections.end_user_email as email',
          'connections.end_user_org as organization',
          'integrations.key as key',
          'integrations.provider as provider',
        ])
        .where('connections.environment_id', '=', environmentId)
        .where('connections.id', '=', connectionId)
        .executeTakeFirst();
      // On PostgreSQL the upsert locks the end user's row: two connections of one end user
      // created at once are counted one after the other.
      await options.endUsers.touch(
        environmentId,
        { id: endUserId, email: row?.email ?? null, organization: row?.organization ?? null },
        trx,
      );
      if (!row) return;
      const list = await plans(environmentId, trx);
      if (list.length === 0) return;
      const plan = await planOf(environmentId, endUserId, trx);
      if (!plan) return;
      const kept = await keptConnections(trx, environmentId, endUserId, connectionId);
      const lock = refusalOf(
        list,
        plan,
        endUserId,
        { key: row.key, categories: categoriesOf(row.provider) },
        kept,
      );
      if (lock) throw lockedError(lock, plan);
    },

    async beforeAction(environmentId, connectionId, action) {
      if ((await plans(environmentId)).length === 0) return;
      const checked = await checkConnection(environmentId, connectionId, action);
      if (!checked?.plan) return;
      await checkQuota(environmentId, checked.entry, checked.plan, 'actionRuns', connectionId);
    },

    async beforeManualSync(environmentId, connectionId) {
      if ((await plans(environmentId)).length === 0) return;
      await checkConnection(environmentId, connectionId);
    },

    async actionRan(environmentId, connectionId) {
      const entry = await connectionOf(environmentId, connectionId);
      if (entry) meter.add(environmentId, entry.endUserId, 'actionRuns');
    },

    async beforeProxyCall(environmentId, connectionId) {
      if ((await plans(environmentId)).length === 0) {
        const entry = await connectionOf(environmentId, connectionId);
        if (entry) meter.add(environmentId, entry.endUserId, 'proxyCalls');
        return;
      }
      const checked = await checkConnection(environmentId, connectionId);
      if (!checked) return;
      if (checked.plan) {
        await checkQuota(environmentId, checked.entry, checked.plan, 'proxyCalls', connectionId);
      }
      meter.add(environmentId, checked.entry.endUserId, 'proxyCalls');
    },

    async recordsSynced(environmentId, connectionId, count) {
      if (count <= 0) return;
      const entry = await connectionOf(environmentId, connectionId);
      if (entry) meter.add(environmentId, entry.endUserId, 'syncedRecords', count);
    },

    async pace(environmentId, connectionId, frequencyMs, executor = db) {
      const list = await plans(environmentId, executor);
      if (list.length === 0) return { run: true, frequencyMs };
      const entry = executor === db ? await connectionOf(environmentId, connectionId) : null;
      const endUserId =
        entry?.endUserId ??
        (
          await executor
            .selectFrom('connections')
            .select('end_user_id')
            .where('environment_id', '=', environmentId)
            .where('id', '=', connectionId)
            .executeTakeFirst()
        )?.end_user_id;
      if (endUserId === undefined) return { run: true, frequencyMs };
      const plan = await planOf(environmentId, endUserId, executor);
      const paced = Math.max(frequencyMs, frequencyFloorMs(plan));
      if (entry?.paused) return { run: false, frequencyMs: paced };
      const max = quotaOf(plan, 'syncedRecords');
      if (
        max !== null &&
        executor === db &&
        (await meter.current(environmentId, endUserId, 'syncedRecords')) >= max
      ) {
        return { run: false, frequencyMs: paced };
      }
      return { run: true, frequencyMs: paced };
    },

    rebalance,

    async rebalancePlan(environmentId, planKey) {
      const list = await plans(environmentId);
      const plan = list.find((candidate) => candidate.key === planKey);
      // End users with connections whose plan is this one (or who have none, when it is the default).
      let after: string | undefined;
      for (;;) {
        const rows = await db
          .selectFrom('connections')
          .leftJoin('end_users', (join) =>
            join
              .onRef('end_users.environment_id', '=', 'connections.environment_id')
              .onRef('end_users.id', '=', 'connections.end_user_id'),
          )
          .select('connections.end_user_id as endUserId')
          .distinct()
          .where('connections.environment_id', '=', environmentId)
          .where((eb) =>
            plan?.isDefault || plan === undefined
              ? eb.or([eb('end_users.plan_key', '=', planKey), eb('end_users.plan_key', 'is', null)])
              : eb('end_users.plan_key', '=', planKey),
          )
          .$if(after !== undefined, (query) => query.where('connections.end_user_id', '>', after!))
          .orderBy('connections.end_user_id')
          .limit(200)
          .execute();
        for (const row of rows) await rebalance(environmentId, row.endUserId);
        if (rows.length < 200) return;
        after = rows.at(-1)?.endUserId;
      }
    },

    async usage(environmentId, endUserId, period) {
      const bounds = period === undefined ? periodOf(clock.now()) : periodBounds(period);
      if (!bounds) throw new Error('unreachable: the period is validated by the caller');
      const plan = await planOf(environmentId, endUserId);
      const counts = await meter.read(environmentId, endUserId, bounds.key);
      const rows = await db
        .selectFrom('connections')
        .innerJoin('integrations', 'integrations.id', 'connections.integration_id')
        .leftJoin('connection_pauses', 'connection_pauses.connection_id', 'connections.id')
        .select(['integrations.provider as provider', 'connection_pauses.connection_id as pausedId'])
        .where('connections.environment_id', '=', environmentId)
        .where('connections.end_user_id', '=', endUserId)
        .execute();
      const active = rows.filter((row) => row.pausedId === null);
      const perCategory: Record<string, { used: number; limit: number | null }> = {};
      const limits = (plan?.rules.limits?.perCategory ?? {}) as Record<string, number | undefined>;
      for (const category of new Set([
        ...Object.keys(limits),
        ...active.flatMap((row) => categoriesOf(row.provider)),
      ])) {
        perCategory[category] = {
          used: active.filter((row) => categoriesOf(row.provider).includes(category)).length,
          limit: limits[category] ?? null,
        };
      }
      return {
        endUserId,
        period: bounds.key,
        periodStart: bounds.start,
        periodEnd: bounds.end,
        metrics: Object.fromEntries(
          USAGE_METRICS.map((metric) => [metric, { used: counts[metric], limit: quotaOf(plan, metric) }]),
        ) as UsageReport['metrics'],
        connections: {
          total: rows.length,
          active: active.length,
          paused: rows.length - active.length,
          limit: connectionsLimit(plan),
          perCategory,
        },
        plan: plan ? { key: plan.key, name: plan.name } : null,
      };
    },

    async pausedConnections(environmentId, endUserId) {
      const rows = await db
        .selectFrom('connection_pauses')
        .select(['connection_id', 'reason'])
        .where('environment_id', '=', environmentId)
        .where('end_user_id', '=', endUserId)
        .execute();
      return new Map(rows.map((row) => [row.connection_id, row.reason]));
    },

    invalidate(environmentId, endUserId) {
      if (endUserId === undefined) {
        plansCache.delete(environmentId);
        endUserPlans.clear();
        return;
      }
      endUserPlans.delete(userKey(environmentId, endUserId));
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
