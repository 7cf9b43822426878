/**
 * After a connection's deletion: its subscriptions are removed at the provider by the
 * `webhook-subscriptions.remove` job, with the credentials the deletion saved (encrypted) because
 * the connection's own are gone with it. Those are kept for REMOVAL_SETTLE_MS after the deletion,
 * so that what a sync still running at that moment registers is removed too, and dropped at once
 * when the provider refuses the removal for good.
 */
import type { ConnectionDeleted } from '../connections/hooks.ts';
import { PatchbayError } from '../errors/index.ts';
import { failureOf, isTransient, removeSubscription } from './calls.ts';
import { removeJobOf, syncSubscriptionsJob } from './jobs.ts';
import { findRow, isRemoval, type RemovalSnapshot, storedSubscriptions } from './rows.ts';
import { NEVER, type Runtime } from './runtime.ts';

/**
 * How long a deleted connection's credentials are kept after its subscriptions are removed: a
 * sync job that was running at the deletion ends within its time limit, and what it registered
 * meanwhile is removed with them.
 */
export const REMOVAL_SETTLE_MS = 2 * syncSubscriptionsJob.timeoutMs;

export interface Removal {
  /** In the deleting transaction: saves what the removal needs and queues it. */
  connectionDeleted(event: ConnectionDeleted): Promise<void>;
  /** The removal job. */
  remove(
    environmentId: string,
    connectionId: string,
    options?: { signal?: AbortSignal; lastAttempt?: boolean },
  ): Promise<void>;
}

export function createRemoval(rt: Runtime): Removal {
  const { db, clock, logger, queue, integrations } = rt.deps;
  const { secrets } = rt;

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
    const script = rt.scriptOf(row.provider);
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
      const integration = await integrations.resolve(environmentId, snapshot.integrationId);
      const context = rt.deps.detachedContextFor({
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
        await rt.update(trx, environmentId, connectionId, {
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
      await rt.update(trx, environmentId, connectionId, {
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

  return {
    async connectionDeleted(event) {
      const row = await findRow(event.trx, event.environmentId, event.connectionId);
      if (!row || isRemoval(row.status)) return;
      const subscriptions = storedSubscriptions(row);
      const now = clock.now();
      // Deliveries to the connection's URL and its secrets stop verifying with it at once.
      const gone = {
        secrets: null,
        url_token: null,
        url_token_hash: null,
        error_code: null,
        error_message: null,
      };
      if (row.status === 'not_managed') {
        await rt.update(event.trx, event.environmentId, event.connectionId, {
          ...gone,
          status: 'removed',
          removed_at: now,
        });
        return;
      }
      const credentials = event.credentials();
      if (credentials === null) {
        await rt.update(event.trx, event.environmentId, event.connectionId, {
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
      await rt.update(event.trx, event.environmentId, event.connectionId, {
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

    remove,
  };
}
