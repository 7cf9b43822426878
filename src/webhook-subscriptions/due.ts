/**
 * The scheduled check (`webhook-subscriptions.check-due`, hourly): queues a checking sync for the
 * connections not checked for a while, so drift at the provider (a subscription deleted or
 * disabled there, a changed public URL) is repaired; gives connections that have no row yet (made
 * before their provider's script existed) theirs; and forgets deleted connections' rows after
 * their retention. Each run handles at most `limit` rows of each kind, oldest first, so a large
 * installation is covered over several runs without one long transaction.
 */
import { type Kysely, sql } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { TransactionalQueue } from '../queue/index.ts';
import type { ScriptConnection, WebhookSubscriptionsDefinition } from '../scripting/types.ts';
import type { Database } from '../store/index.ts';
import { syncJobOf } from './jobs.ts';

export interface CheckDueDeps {
  db: Kysely<Database>;
  clock: Clock;
  queue: Pick<TransactionalQueue, 'enqueueManyIn'>;
  scripts: ReadonlyMap<string, WebhookSubscriptionsDefinition>;
  applies(script: WebhookSubscriptionsDefinition, connection: ScriptConnection): boolean;
  insertRow(
    trx: Kysely<Database>,
    row: { environmentId: string; connectionId: string; integrationId: string; provider: string },
    status: 'pending' | 'not_managed',
  ): Promise<void>;
  checkIntervalMs: number;
  retentionMs: number;
  /** After this long, a deleted connection's saved credentials go even if its settle job was lost. */
  settleMs: number;
}

interface ConnectionFacts {
  connection_id: string;
  environment_id: string;
  integration_id: string;
  provider: string;
  end_user_id: string;
  connection_config: string;
  metadata: string;
}

export const DEFAULT_CHECK_LIMIT = 1000;

export async function checkDue(
  deps: CheckDueDeps,
  limit = DEFAULT_CHECK_LIMIT,
): Promise<{ queued: number; purged: number }> {
  const { db, clock, queue, scripts } = deps;
  const now = clock.now();
  const purged = await db
    .deleteFrom('webhook_subscriptions')
    .where('status', 'in', ['removed', 'removal_failed'])
    .where('updated_at', '<', now - deps.retentionMs)
    .executeTakeFirst();
  await db
    .updateTable('webhook_subscriptions')
    .set({ removal: null, updated_at: now })
    .where('status', '=', 'removed')
    .where('removal', 'is not', null)
    .where('updated_at', '<', now - 2 * deps.settleMs)
    .execute();
  const providers = [...scripts.keys()];
  if (providers.length === 0) return { queued: 0, purged: Number(purged.numDeletedRows) };

  const identity = (row: ConnectionFacts): ScriptConnection => ({
    id: row.connection_id,
    environmentId: row.environment_id,
    integrationId: row.integration_id,
    provider: row.provider,
    endUserId: row.end_user_id,
    config: JSON.parse(row.connection_config) as Record<string, string>,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  });
  const wanted = (row: ConnectionFacts): boolean => {
    const script = scripts.get(row.provider);
    return script !== undefined && deps.applies(script, identity(row));
  };
  let queued = 0;

  // Connections without a row: made before their provider's script existed.
  const missing = await db
    .selectFrom('connections as c')
    .innerJoin('integrations as i', 'i.id', 'c.integration_id')
    .leftJoin('webhook_subscriptions as w', 'w.connection_id', 'c.id')
    .select([
      'c.id as connection_id',
      'c.environment_id',
      'c.integration_id',
      'i.provider',
      'c.end_user_id',
      'c.connection_config',
      'c.metadata',
    ])
    .where('w.connection_id', 'is', null)
    .where('i.provider', 'in', providers)
    .orderBy('c.id')
    .limit(limit)
    .execute();
  if (missing.length > 0) {
    await db.transaction().execute(async (trx) => {
      const jobs = [];
      for (const row of missing) {
        const applicable = wanted(row);
        await deps.insertRow(
          trx,
          {
            environmentId: row.environment_id,
            connectionId: row.connection_id,
            integrationId: row.integration_id,
            provider: row.provider,
          },
          applicable ? 'pending' : 'not_managed',
        );
        if (applicable) jobs.push(syncJobOf(row.environment_id, row.connection_id, true));
      }
      if (jobs.length > 0) queued += (await queue.enqueueManyIn(trx, jobs)).filter((j) => j.created).length;
    });
  }

  // Rows not checked for an interval, least recently checked first.
  const checkedAt = sql<number>`coalesce(${sql.ref('w.checked_at')}, 0)`;
  const due = await db
    .selectFrom('webhook_subscriptions as w')
    .innerJoin('connections as c', 'c.id', 'w.connection_id')
    .select([
      'w.connection_id',
      'w.environment_id',
      'w.integration_id',
      'w.provider',
      'w.status',
      'c.end_user_id',
      'c.connection_config',
      'c.metadata',
    ])
    .where('w.status', 'in', ['pending', 'registered', 'failed', 'not_managed'])
    .where(checkedAt, '<', now - deps.checkIntervalMs)
    .orderBy(checkedAt)
    .limit(limit)
    .execute();
  if (due.length > 0) {
    await db.transaction().execute(async (trx) => {
      const jobs = [];
      const pending: string[] = [];
      for (const row of due) {
        if (row.status !== 'not_managed') jobs.push(syncJobOf(row.environment_id, row.connection_id, true));
        else if (wanted(row)) {
          pending.push(row.connection_id);
          jobs.push(syncJobOf(row.environment_id, row.connection_id, true));
        }
      }
      // Checked now: the sync records the outcome; a row is not picked again before its interval.
      await trx
        .updateTable('webhook_subscriptions')
        .set({ checked_at: now, updated_at: now })
        .where(
          'connection_id',
          'in',
          due.map((row) => row.connection_id),
        )
        .execute();
      if (pending.length > 0) {
        await trx
          .updateTable('webhook_subscriptions')
          .set({ status: 'pending' })
          .where('connection_id', 'in', pending)
          .execute();
      }
      if (jobs.length > 0) queued += (await queue.enqueueManyIn(trx, jobs)).filter((j) => j.created).length;
    });
  }
  return { queued, purged: Number(purged.numDeletedRows) };
}
