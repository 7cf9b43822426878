/**
 * The webhook subscriptions service: registers each connection's webhooks at the provider with
 * the provider's `webhooks/subscriptions` script, keeps what the provider answered (ids, and the
 * signing secrets encrypted), repairs drift, and removes them once the connection is deleted —
 * all in jobs, never in the request that created or deleted the connection. It writes only its
 * own table; the connections module tells it about changes through its hooks.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { HookConnection } from '../connections/hooks.ts';
import type { Connection, ConnectionsService } from '../connections/types.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { connectionWebhookUrl, webhookUrlFor } from '../inbound/urls.ts';
import type { IntegrationsService } from '../integrations/types.ts';
import type { Logger } from '../logger/index.ts';
import type { Credentials, ResolvedIntegration } from '../ports/connections.ts';
import type { TransactionalQueue } from '../queue/index.ts';
import type { ScriptConnection, ScriptContext, WebhookSubscriptionsDefinition } from '../scripting/types.ts';
import type { Database, WebhookSubscriptionStatus } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import {
  failureOf,
  isTransient,
  listSubscriptions,
  registerSubscription,
  removeSubscription,
  updateSubscription,
} from './calls.ts';
import { checkDue } from './due.ts';
import { removeJobOf, syncJobOf, syncSubscriptionsJob } from './jobs.ts';
import { planReconcile, topicGroups } from './plan.ts';
import {
  findRow,
  isRemoval,
  REMOVAL_STATUSES,
  type RemovalSnapshot,
  rowSecrets,
  type SubscriptionRow,
  storedSubscriptions,
  tokenHash,
  viewOf,
} from './rows.ts';
import type { StoredSubscription, WebhookSubscriptionsService, WebhookSubscriptionsView } from './types.ts';

/** What a script context for a deleted connection is made of (its saved credentials). */
export interface DetachedConnection {
  environmentId: string;
  connectionId: string;
  integration: ResolvedIntegration;
  endUserId: string;
  connectionConfig: Record<string, string>;
  metadata: Record<string, unknown>;
  credentials: Credentials;
  signal: AbortSignal;
  log: Logger;
}

export interface WebhookSubscriptionsDeps {
  db: Kysely<Database>;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  queue: Pick<TransactionalQueue, 'enqueueManyIn'>;
  /** Where providers reach Patchbay: the URLs registered start with it. */
  publicUrl: string;
  /** The `webhooks/subscriptions` script of each provider that has one (a variant's is its provider's). */
  scripts: ReadonlyMap<string, WebhookSubscriptionsDefinition>;
  connections: Pick<ConnectionsService, 'get'>;
  integrations: Pick<IntegrationsService, 'resolve'>;
  /** The script context of a connection: what syncs and actions get. */
  contextFor(args: {
    environmentId: string;
    connectionId: string;
    signal: AbortSignal;
    log: Logger;
  }): Promise<ScriptContext>;
  /** A script context over a deleted connection's saved credentials (no refresh: the row is gone). */
  detachedContextFor(connection: DetachedConnection): ScriptContext;
}

/** Each connection is checked against the provider about this often. */
export const CHECK_INTERVAL_MS = 6 * 3_600_000;

/** Rows of deleted connections (removed, or removal failed) are kept this long for the API. */
export const REMOVED_RETENTION_MS = 30 * 86_400_000;

/**
 * How long a deleted connection's credentials are kept after its subscriptions are removed: a
 * sync job that was running at the deletion ends within its time limit, and what it registered
 * meanwhile is removed with them.
 */
export const REMOVAL_SETTLE_MS = 2 * syncSubscriptionsJob.timeoutMs;

const NEVER = new AbortController().signal;

export function createWebhookSubscriptionsService(
  deps: WebhookSubscriptionsDeps,
): WebhookSubscriptionsService {
  const { db, clock, logger, queue, publicUrl } = deps;
  const secrets = rowSecrets(deps.vault);
  const scriptOf = (provider: string) => deps.scripts.get(provider) ?? null;

  /** Whether the script registers for this connection; a throwing `appliesTo` counts as yes (the job reports it). */
  function applies(script: WebhookSubscriptionsDefinition, connection: ScriptConnection): boolean {
    if (!script.appliesTo) return true;
    try {
      return script.appliesTo(connection) !== false;
    } catch (error) {
      logger.warn(
        { connectionId: connection.id, provider: connection.provider, errorCode: errorCodeOf(error) },
        'appliesTo of the webhook subscriptions script threw; registering',
      );
      return true;
    }
  }

  async function insertRow(
    trx: Kysely<Database>,
    row: { environmentId: string; connectionId: string; integrationId: string; provider: string },
    status: 'pending' | 'not_managed',
  ): Promise<void> {
    const now = clock.now();
    await trx
      .insertInto('webhook_subscriptions')
      .values({
        connection_id: row.connectionId,
        environment_id: row.environmentId,
        integration_id: row.integrationId,
        provider: row.provider,
        status,
        subscriptions: '[]',
        secrets: null,
        url_token: null,
        url_token_hash: null,
        removal: null,
        generation: 0,
        error_code: null,
        error_message: null,
        failures: 0,
        registered_at: null,
        checked_at: status === 'not_managed' ? now : null,
        removed_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async function update(
    executor: Kysely<Database>,
    environmentId: string,
    connectionId: string,
    values: Partial<Omit<SubscriptionRow, 'connection_id' | 'environment_id' | 'created_at'>>,
  ): Promise<void> {
    await executor
      .updateTable('webhook_subscriptions')
      .set({ ...values, updated_at: clock.now() })
      .where('environment_id', '=', environmentId)
      .where('connection_id', '=', connectionId)
      .execute();
  }

  /** A connection's intake URL, and the token in it (new when the URL needs one and none was kept). */
  function targetUrl(
    row: SubscriptionRow,
    integration: ResolvedIntegration,
  ): { url: string; token: string | null } {
    const webhooks = integration.definition.webhooks;
    if (!webhooks) {
      throw new PatchbayError(
        'script_definition_invalid',
        `Provider ${integration.provider} registers webhooks but its definition has no webhooks block`,
      );
    }
    if (webhooks.routing.from !== 'url') {
      return { url: webhookUrlFor(publicUrl, row.environment_id, integration.key), token: null };
    }
    // 256 random bits: for unsigned providers the URL itself is the credential.
    const token = secrets.token(row) ?? randomBytes(32).toString('base64url');
    return {
      url: connectionWebhookUrl(publicUrl, row.environment_id, integration.key, webhooks.verification, token),
      token,
    };
  }

  /** The sync job: register what is missing, and with `check`, repair what drifted at the provider. */
  async function sync(
    environmentId: string,
    connectionId: string,
    options: { check: boolean; signal?: AbortSignal; lastAttempt?: boolean },
  ): Promise<void> {
    let row = await findRow(db, environmentId, connectionId);
    if (row && isRemoval(row.status)) return; // deleted since: its removal is queued
    let connection: Connection;
    try {
      connection = await deps.connections.get(environmentId, connectionId);
    } catch (error) {
      if (isPatchbayError(error, 'not_found')) return;
      throw error;
    }
    const script = scriptOf(connection.provider);
    const identity = scriptConnection(connection);
    const log = logger.child({ connectionId, provider: connection.provider });
    if (!script || !applies(script, identity)) {
      if (row && row.status !== 'not_managed') await release(row, script, log, options.signal ?? NEVER);
      return;
    }
    if (!row) {
      await insertRow(db, rowKeys(connection), 'pending');
      row = (await findRow(db, environmentId, connectionId)) as SubscriptionRow;
    }
    const integration = await deps.integrations.resolve(environmentId, connection.integrationId);
    const { url, token } = targetUrl(row, integration);
    const recorded = storedSubscriptions(row);
    // Null until the plan is made: a failure before it leaves the record as it was.
    let kept: StoredSubscription[] | null = null;
    const known = secrets.secrets(row);
    const fresh: Record<string, string> = {};
    let registered = false;
    let unremoved: StoredSubscription[] = [];
    try {
      const context = await deps.contextFor({
        environmentId,
        connectionId,
        signal: options.signal ?? NEVER,
        log,
      });
      // A new connection's first registration needs no listing; a check, or a retry that finds
      // subscriptions recorded, compares with what the provider has.
      const remote = options.check ? await listSubscriptions(script, context) : null;
      const plan = planReconcile({
        groups: topicGroups(script.topics, script.topicsPerSubscription),
        current: recorded,
        remote,
        url,
        canUpdate: script.update !== undefined,
        foreign: remote ? await foreignIds(environmentId, row.integration_id, connectionId) : new Set(),
      });
      const planned = [...plan.keep];
      kept = planned;
      unremoved = plan.steps.flatMap((step) =>
        step.kind === 'remove' && step.reason === 'unwanted' ? recorded.filter((r) => r.id === step.id) : [],
      );
      for (const step of plan.steps) {
        if (step.kind === 'register') {
          const created = await registerSubscription(script, context, {
            url,
            topics: step.topics,
            idempotencyKey: idempotencyKey(connectionId, row.generation, url, step.topics),
          });
          planned.push({ id: created.id, topics: [...(created.topics ?? step.topics)] });
          if (created.secret) fresh[created.id] = created.secret;
          registered = true;
          log.info(
            { subscriptionId: created.id, topics: step.topics.length },
            'webhook subscription registered',
          );
        } else if (step.kind === 'update') {
          await updateSubscription(script, context, step.id, { url, topics: step.topics });
          log.info({ subscriptionId: step.id }, 'webhook subscription repaired');
        } else {
          await removeSubscription(script, context, step.id);
          unremoved = unremoved.filter((r) => r.id !== step.id);
          log.info({ subscriptionId: step.id, reason: step.reason }, 'webhook subscription removed');
        }
      }
    } catch (error) {
      const failure = failureOf(error, token);
      log.warn({ errorCode: failure.code }, 'webhook subscriptions could not be registered');
      // What was done before the failure is recorded, so the retry does not do it twice; what
      // was to be removed and was not stays recorded, to be removed next time.
      await save(row, {
        subscriptions: kept === null ? recorded : [...kept, ...unremoved],
        secrets: { ...known, ...fresh },
        token,
        registered,
        failure,
      });
      if (isTransient(error) && !options.lastAttempt) throw error;
      return;
    }
    await save(row, {
      subscriptions: kept ?? recorded,
      secrets: { ...known, ...fresh },
      token,
      registered,
      failure: null,
    });
  }

  /**
   * Records the outcome of a sync. When the connection was deleted meanwhile, what this sync
   * registered joins what its removal must remove.
   */
  async function save(
    before: SubscriptionRow,
    outcome: {
      subscriptions: StoredSubscription[];
      secrets: Record<string, string>;
      token: string | null;
      registered: boolean;
      failure: { code: string; message: string } | null;
    },
  ): Promise<void> {
    const { environment_id: environmentId, connection_id: connectionId } = before;
    const ids = new Set(outcome.subscriptions.map((s) => s.id));
    const kept = Object.fromEntries(Object.entries(outcome.secrets).filter(([id]) => ids.has(id)));
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      const row = await findRow(trx, environmentId, connectionId);
      if (!row) return;
      if (isRemoval(row.status)) {
        await mergeIntoRemoval(trx, row, outcome.subscriptions);
        return;
      }
      await update(trx, environmentId, connectionId, {
        status: outcome.failure ? 'failed' : 'registered',
        subscriptions: JSON.stringify(outcome.subscriptions),
        secrets: secrets.sealSecrets(connectionId, kept),
        url_token: outcome.token === null ? null : secrets.sealToken(connectionId, outcome.token),
        url_token_hash: outcome.token === null ? null : tokenHash(outcome.token),
        generation: outcome.registered ? row.generation + 1 : row.generation,
        error_code: outcome.failure?.code ?? null,
        error_message: outcome.failure?.message ?? null,
        failures: outcome.failure ? row.failures + 1 : 0,
        registered_at: outcome.registered ? now : row.registered_at,
        checked_at: now,
      });
    });
  }

  /** Subscriptions registered while their connection was being deleted: removed with the rest. */
  async function mergeIntoRemoval(
    trx: Kysely<Database>,
    row: SubscriptionRow,
    registered: readonly StoredSubscription[],
  ): Promise<void> {
    const known = storedSubscriptions(row);
    const added = registered.filter((s) => !known.some((k) => k.id === s.id));
    if (added.length === 0) return;
    const merged = JSON.stringify([...known, ...added]);
    if (row.removal !== null && row.status !== 'removal_failed') {
      await update(trx, row.environment_id, row.connection_id, {
        status: 'removing',
        subscriptions: merged,
        removed_at: null,
      });
      await queue.enqueueManyIn(trx, [removeJobOf(row.environment_id, row.connection_id)]);
      return;
    }
    // Its credentials are gone (a sync that outlived the settle window): the host must remove these by hand.
    await update(trx, row.environment_id, row.connection_id, {
      status: 'removal_failed',
      subscriptions: merged,
      error_code: 'conflict',
      error_message:
        'Subscriptions were registered while the connection was being deleted, after its removal ran; remove them at the provider',
    });
  }

  /** A connection the script no longer registers for: its subscriptions go, the row stays as `not_managed`. */
  async function release(
    row: SubscriptionRow,
    script: WebhookSubscriptionsDefinition | null,
    log: Logger,
    signal: AbortSignal,
  ): Promise<void> {
    let left = storedSubscriptions(row);
    if (script && left.length > 0) {
      const context = await deps.contextFor({
        environmentId: row.environment_id,
        connectionId: row.connection_id,
        signal,
        log,
      });
      for (const subscription of [...left]) {
        try {
          await removeSubscription(script, context, subscription.id);
          left = left.filter((s) => s.id !== subscription.id);
        } catch (error) {
          log.warn({ subscriptionId: subscription.id, errorCode: errorCodeOf(error) }, 'removing failed');
        }
      }
    }
    await update(db, row.environment_id, row.connection_id, {
      status: 'not_managed',
      subscriptions: JSON.stringify(left),
      secrets: null,
      url_token: null,
      url_token_hash: null,
      error_code: null,
      error_message: null,
      failures: 0,
      checked_at: clock.now(),
    });
  }

  async function foreignIds(
    environmentId: string,
    integrationId: string,
    connectionId: string,
  ): Promise<Set<string>> {
    const rows = await db
      .selectFrom('webhook_subscriptions')
      .select('subscriptions')
      .where('environment_id', '=', environmentId)
      .where('integration_id', '=', integrationId)
      .where('connection_id', '!=', connectionId)
      .where('subscriptions', '!=', '[]')
      .execute();
    return new Set(rows.flatMap((r) => storedSubscriptions(r).map((s) => s.id)));
  }

  /**
   * The removal job: removes a deleted connection's subscriptions with its saved credentials.
   * The credentials are kept until REMOVAL_SETTLE_MS after the deletion, for what a sync that was
   * running then may still register (it joins the list, see mergeIntoRemoval); the job queued for
   * that moment, or the first to finish after it, drops them.
   */
  async function remove(
    environmentId: string,
    connectionId: string,
    options: { signal?: AbortSignal; lastAttempt?: boolean } = {},
  ): Promise<void> {
    const row = await findRow(db, environmentId, connectionId);
    if (!row || row.removal === null || !isRemoval(row.status)) return;
    const snapshot = secrets.removal(row) as RemovalSnapshot;
    const settled = () => clock.now() >= snapshot.deletedAt + REMOVAL_SETTLE_MS;
    if (row.status !== 'removing') {
      if (settled()) await forgetCredentials(environmentId, connectionId);
      return;
    }
    const log = logger.child({ connectionId, provider: row.provider });
    const script = scriptOf(row.provider);
    const todo = storedSubscriptions(row);
    const removed = new Set<string>();
    let failure: unknown = null;
    try {
      if (!script) {
        throw new PatchbayError(
          'script_definition_invalid',
          `Provider ${row.provider} has no webhooks/subscriptions script to remove its subscriptions with`,
        );
      }
      const integration = await deps.integrations.resolve(environmentId, snapshot.integrationId);
      const context = deps.detachedContextFor({
        environmentId,
        connectionId,
        integration,
        endUserId: snapshot.endUserId,
        connectionConfig: snapshot.connectionConfig,
        metadata: snapshot.metadata,
        credentials: snapshot.credentials,
        signal: options.signal ?? NEVER,
        log,
      });
      for (const subscription of todo) {
        await removeSubscription(script, context, subscription.id);
        removed.add(subscription.id);
        log.info({ subscriptionId: subscription.id }, 'webhook subscription removed');
      }
    } catch (error) {
      failure = error;
    }
    const retry = failure !== null && isTransient(failure) && !options.lastAttempt;
    await db.transaction().execute(async (trx) => {
      const current = await findRow(trx, environmentId, connectionId);
      if (current?.status !== 'removing') return;
      // Re-read: a sync that finished after the deletion may have added to the list (and queued
      // a removal of its own).
      const left = storedSubscriptions(current).filter((s) => !removed.has(s.id));
      const added = left.some((s) => !todo.some((t) => t.id === s.id));
      if (failure === null || added) {
        const done = left.length === 0;
        await update(trx, environmentId, connectionId, {
          status: done ? 'removed' : 'removing',
          subscriptions: JSON.stringify(left),
          removal: done && settled() ? null : current.removal,
          removed_at: done ? clock.now() : null,
          error_code: null,
          error_message: null,
          failures: 0,
          checked_at: clock.now(),
        });
        return;
      }
      const { code, message } = failureOf(failure, null);
      log.warn({ errorCode: code, final: !retry }, 'webhook subscriptions could not be removed');
      await update(trx, environmentId, connectionId, {
        // A final failure drops the saved credentials: they are not kept for ever.
        status: retry ? 'removing' : 'removal_failed',
        removal: retry ? current.removal : null,
        subscriptions: JSON.stringify(left),
        error_code: code,
        error_message: message,
        failures: current.failures + 1,
        checked_at: clock.now(),
      });
    });
    if (retry) throw failure;
  }

  /** Drops a deleted connection's saved credentials once its subscriptions are removed. */
  async function forgetCredentials(environmentId: string, connectionId: string): Promise<void> {
    await db
      .updateTable('webhook_subscriptions')
      .set({ removal: null, updated_at: clock.now() })
      .where('environment_id', '=', environmentId)
      .where('connection_id', '=', connectionId)
      .where('status', '=', 'removed')
      .execute();
  }

  function scriptTopics(provider: string): string[] {
    return [...(scriptOf(provider)?.topics ?? [])];
  }

  async function view(environmentId: string, connectionId: string): Promise<WebhookSubscriptionsView> {
    const row = await findRow(db, environmentId, connectionId);
    if (row) return viewOf(row, scriptTopics(row.provider));
    const connection = await deps.connections.get(environmentId, connectionId);
    const script = scriptOf(connection.provider);
    const managed = script !== null && applies(script, scriptConnection(connection));
    return {
      connectionId,
      provider: connection.provider,
      managed,
      // No row yet (a connection older than its provider's script): the scheduled check registers it.
      status: managed ? 'pending' : 'not_managed',
      topics: managed ? scriptTopics(connection.provider).sort() : [],
      subscriptions: [],
      hasSecret: false,
      error: null,
      failures: 0,
      registeredAt: null,
      checkedAt: null,
      removedAt: null,
    };
  }

  return {
    async connectionCreated(event) {
      const script = scriptOf(event.provider);
      if (!script) return;
      const identity = hookIdentity(
        event.environmentId,
        event.connectionId,
        event.provider,
        event.connection,
      );
      const row = {
        environmentId: event.environmentId,
        connectionId: event.connectionId,
        integrationId: event.connection.integrationId,
        provider: event.provider,
      };
      if (!applies(script, identity)) {
        await insertRow(event.trx, row, 'not_managed');
        return;
      }
      await insertRow(event.trx, row, 'pending');
      await queue.enqueueManyIn(event.trx, [syncJobOf(event.environmentId, event.connectionId, false)]);
    },

    async connectionReconnected(event) {
      const script = scriptOf(event.provider);
      const existing = await findRow(event.trx, event.environmentId, event.connectionId);
      if (!script && !existing) return;
      if (!existing) {
        const identity = hookIdentity(
          event.environmentId,
          event.connectionId,
          event.provider,
          event.connection,
        );
        const applicable = script !== null && applies(script, identity);
        await insertRow(
          event.trx,
          {
            environmentId: event.environmentId,
            connectionId: event.connectionId,
            integrationId: event.connection.integrationId,
            provider: event.provider,
          },
          applicable ? 'pending' : 'not_managed',
        );
        if (!applicable) return;
      }
      // New credentials may be another account's: list there and repair (the job decides, from
      // the reconnected connection, whether the script still applies).
      await queue.enqueueManyIn(event.trx, [syncJobOf(event.environmentId, event.connectionId, true)]);
    },

    async connectionDeleted(event) {
      const row = await findRow(event.trx, event.environmentId, event.connectionId);
      if (!row || isRemoval(row.status)) return;
      const subscriptions = storedSubscriptions(row);
      const now = clock.now();
      // Deliveries to the connection's URL and its secrets stop verifying with it at once.
      const gone = { secrets: null, url_token: null, url_token_hash: null, error_code: null, error_message: null };
      if (row.status === 'not_managed') {
        await update(event.trx, event.environmentId, event.connectionId, {
          ...gone,
          status: 'removed',
          removed_at: now,
        });
        return;
      }
      const credentials = event.credentials();
      if (credentials === null) {
        await update(event.trx, event.environmentId, event.connectionId, {
          ...gone,
          status: subscriptions.length === 0 ? 'removed' : 'removal_failed',
          removed_at: subscriptions.length === 0 ? now : null,
          ...(subscriptions.length === 0
            ? {}
            : {
                error_code: 'connection_reauth_required',
                error_message: 'The connection had no stored credentials to remove its subscriptions with',
              }),
        });
        return;
      }
      const snapshot: RemovalSnapshot = {
        integrationId: event.connection.integrationId,
        endUserId: event.connection.endUserId,
        connectionConfig: { ...event.connection.connectionConfig },
        metadata: { ...event.connection.metadata },
        credentials,
        deletedAt: now,
      };
      await update(event.trx, event.environmentId, event.connectionId, {
        ...gone,
        status: subscriptions.length === 0 ? 'removed' : 'removing',
        removed_at: subscriptions.length === 0 ? now : null,
        failures: 0,
        removal: secrets.sealRemoval(event.connectionId, snapshot),
      });
      await queue.enqueueManyIn(event.trx, [
        ...(subscriptions.length === 0 ? [] : [removeJobOf(event.environmentId, event.connectionId)]),
        // At the end of the settle window: removes what a sync still running at the deletion
        // registered, and drops the credentials.
        { ...removeJobOf(event.environmentId, event.connectionId), runAt: now + REMOVAL_SETTLE_MS },
      ]);
    },

    sync,
    remove,

    checkDue: (limit) =>
      checkDue(
        {
          db,
          clock,
          queue,
          scripts: deps.scripts,
          applies,
          insertRow,
          checkIntervalMs: CHECK_INTERVAL_MS,
          retentionMs: REMOVED_RETENTION_MS,
          settleMs: REMOVAL_SETTLE_MS,
        },
        limit,
      ),

    get: view,

    async requestCheck(environmentId, connectionId) {
      const current = await view(environmentId, connectionId);
      if (!current.managed || isRemoval(current.status as WebhookSubscriptionStatus)) {
        throw new PatchbayError(
          'conflict',
          current.managed
            ? `Connection ${connectionId} was deleted; its webhook subscriptions are ${current.status}`
            : `Patchbay registers no webhooks for connection ${connectionId} (${current.provider})`,
          { details: { connectionId, status: current.status } },
        );
      }
      await db.transaction().execute(async (trx) => {
        if (!(await findRow(trx, environmentId, connectionId))) {
          const connection = await deps.connections.get(environmentId, connectionId);
          await insertRow(trx, rowKeys(connection), 'pending');
        }
        await queue.enqueueManyIn(trx, [syncJobOf(environmentId, connectionId, true)]);
      });
      return view(environmentId, connectionId);
    },

    async findByWebhookToken(environmentId, integrationId, token) {
      const row = await db
        .selectFrom('webhook_subscriptions')
        .select('connection_id')
        .where('url_token_hash', '=', tokenHash(token))
        .where('environment_id', '=', environmentId)
        .where('integration_id', '=', integrationId)
        .where('status', 'not in', [...REMOVAL_STATUSES])
        .executeTakeFirst();
      return row?.connection_id ?? null;
    },

    async webhookSecrets(environmentId, ids) {
      const found = new Map<string, string[]>();
      if (ids.length === 0) return found;
      const rows = await db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('environment_id', '=', environmentId)
        .where('connection_id', 'in', [...ids])
        .where('secrets', 'is not', null)
        .execute();
      for (const row of rows) found.set(row.connection_id, Object.values(secrets.secrets(row)));
      return found;
    },
  };
}

function rowKeys(connection: Connection) {
  return {
    environmentId: connection.environmentId,
    connectionId: connection.id,
    integrationId: connection.integrationId,
    provider: connection.provider,
  };
}

/** The connection as scripts see it. */
export function scriptConnection(connection: Connection): ScriptConnection {
  return {
    id: connection.id,
    environmentId: connection.environmentId,
    integrationId: connection.integrationId,
    provider: connection.provider,
    endUserId: connection.endUser.id,
    config: connection.connectionConfig,
    metadata: connection.metadata,
  };
}

export function hookIdentity(
  environmentId: string,
  connectionId: string,
  provider: string,
  connection: HookConnection,
): ScriptConnection {
  return {
    id: connectionId,
    environmentId,
    integrationId: connection.integrationId,
    provider,
    endUserId: connection.endUserId,
    config: connection.connectionConfig,
    metadata: connection.metadata,
  };
}

/**
 * The same for every retry of one registration (a provider that keeps idempotency keys answers
 * the retry with the subscription the lost answer held) and new for the next registration.
 */
function idempotencyKey(
  connectionId: string,
  generation: number,
  url: string,
  topics: readonly string[],
): string {
  const digest = createHash('sha256')
    .update(`${connectionId}\n${generation}\n${url}\n${[...topics].sort().join(' ')}`)
    .digest('hex');
  return `patchbay-whsub-${digest.slice(0, 40)}`;
}

function errorCodeOf(error: unknown): string {
  return isPatchbayError(error) ? error.code : 'unexpected';
}
