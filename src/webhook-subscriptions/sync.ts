/**
 * The `webhook-subscriptions.sync` job: registers a connection's subscriptions at the provider
 * and, with `check`, lists the provider's and repairs what drifted (planReconcile), then records
 * the outcome. What it does is recorded even when it fails halfway, so a retry does not do it
 * twice; and what it registers after the connection was deleted joins the removal.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Connection } from '../connections/types.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { connectionWebhookUrl, webhookUrlFor } from '../inbound/urls.ts';
import type { Logger } from '../logger/index.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import type { WebhookSubscriptionsDefinition } from '../scripting/types.ts';
import type { Database } from '../store/index.ts';
import {
  failureOf,
  isTransient,
  listSubscriptions,
  registerSubscription,
  removeSubscription,
  updateSubscription,
} from './calls.ts';
import { removeJobOf } from './jobs.ts';
import { planReconcile, topicGroups } from './plan.ts';
import { findRow, isRemoval, type SubscriptionRow, storedSubscriptions, tokenHash } from './rows.ts';
import { errorCodeOf, NEVER, type Runtime, rowKeys, scriptConnection } from './runtime.ts';
import type { StoredSubscription } from './types.ts';

export type SyncSubscriptions = (
  environmentId: string,
  connectionId: string,
  options: { check: boolean; signal?: AbortSignal; lastAttempt?: boolean },
) => Promise<void>;

export function createSync(rt: Runtime): SyncSubscriptions {
  const { db, clock, logger, queue, publicUrl, connections, integrations } = rt.deps;
  const { secrets } = rt;

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
      connection = await connections.get(environmentId, connectionId);
    } catch (error) {
      if (isPatchbayError(error, 'not_found')) return;
      throw error;
    }
    const script = rt.scriptOf(connection.provider);
    const identity = scriptConnection(connection);
    const log = logger.child({ connectionId, provider: connection.provider });
    if (!script || !rt.applies(script, identity)) {
      if (row && row.status !== 'not_managed') await release(row, script, log, options.signal ?? NEVER);
      return;
    }
    if (!row) {
      await rt.insertRow(db, rowKeys(connection), 'pending');
      row = (await findRow(db, environmentId, connectionId)) as SubscriptionRow;
    }
    const integration = await integrations.resolve(environmentId, connection.integrationId);
    const { url, token } = targetUrl(row, integration);
    if (token !== null && row.url_token_hash !== tokenHash(token)) {
      // A new URL is known before the provider is told of it: a provider that calls it while it
      // registers (WooCommerce pings each new webhook and wants a 200) reaches this connection.
      await rt.update(db, environmentId, connectionId, {
        url_token: secrets.sealToken(connectionId, token),
        url_token_hash: tokenHash(token),
      });
    }
    const recorded = storedSubscriptions(row);
    // Null until the plan is made: a failure before it leaves the record as it was.
    let kept: StoredSubscription[] | null = null;
    const known = secrets.secrets(row);
    const fresh: Record<string, string> = {};
    let registered = false;
    let unremoved: StoredSubscription[] = [];
    try {
      const context = await rt.deps.contextFor({
        environmentId,
        connectionId,
        signal: options.signal ?? NEVER,
        log,
      });
      // A check compares with what the provider has; otherwise what was recorded is trusted, so
      // a new connection's registration is one call and a retry goes on where the last stopped.
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
      await rt.update(trx, environmentId, connectionId, {
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
      await rt.update(trx, row.environment_id, row.connection_id, {
        status: 'removing',
        subscriptions: merged,
        removed_at: null,
      });
      await queue.enqueueManyIn(trx, [removeJobOf(row.environment_id, row.connection_id)]);
      return;
    }
    // Its credentials are gone (a sync that outlived the settle window): the host must remove these by hand.
    await rt.update(trx, row.environment_id, row.connection_id, {
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
      const context = await rt.deps.contextFor({
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
    await rt.update(db, row.environment_id, row.connection_id, {
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

  return sync;
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
