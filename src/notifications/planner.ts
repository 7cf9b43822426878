/**
 * What an event means for notifications: the kind, whom it is about and the variables of its
 * template (links are added when it is sent). Most events mean nothing; `sync.failed` only
 * counts once a sync has failed `syncFailureThreshold` times in a row, `sync.succeeded` only when
 * an import refused rows.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { NotificationKind } from './kinds.ts';

/** A connection as notifications describe it. */
export interface ConnectionFacts {
  id: string;
  /** The integration's display name. */
  name: string;
  provider: string;
  integrationKey: string;
  status: string;
  endUserId: string;
  endUserEmail: string | null;
}

export interface Intent {
  kind: NotificationKind;
  endUserId: string;
  connection: ConnectionFacts | null;
  variables: Record<string, unknown>;
}

export interface PlannerDeps {
  db: Kysely<Database>;
  connection(environmentId: string, connectionId: string): Promise<ConnectionFacts | null>;
  /** A plan's display name; null (the default plan) → ''. */
  planName(environmentId: string, key: string | null): Promise<string>;
}

/** Longest streak of failures counted (the number shown in the email). */
const MAX_STREAK = 100;

export async function intentOf(
  deps: PlannerDeps,
  event: { environmentId: string; type: string; data: Record<string, unknown> },
  threshold: number,
): Promise<Intent | null> {
  const data = event.data;
  const env = event.environmentId;
  switch (event.type) {
    case 'connection.reauth_required': {
      const connection = await deps.connection(env, String(data.connectionId));
      // Reconnected (or deleted) before this job ran: there is nothing left to ask of the end user.
      if (connection?.status !== 'reauth_required') return null;
      const reason = data.reason as { message?: string } | undefined;
      return {
        kind: 'reauth_required',
        endUserId: connection.endUserId,
        connection,
        variables: { reason: reason?.message ?? 'the provider refused the credentials' },
      };
    }
    case 'sync.failed': {
      const connectionId = String(data.connectionId);
      const streak = await failureStreak(deps.db, env, connectionId, String(data.sync));
      // Exactly at the threshold and above: each failure past it may send (the throttle decides).
      if (streak < threshold) return null;
      const connection = await deps.connection(env, connectionId);
      if (!connection) return null;
      const error = data.error as { message?: string } | undefined;
      return {
        kind: 'sync_failing',
        endUserId: connection.endUserId,
        connection,
        variables: { sync: data.sync, failures: streak, error: error?.message ?? 'unknown error' },
      };
    }
    case 'sync.succeeded': {
      const rejected = Number(data.rejected ?? 0);
      if (!(rejected > 0)) return null;
      const connection = await deps.connection(env, String(data.connectionId));
      if (!connection) return null;
      return {
        kind: 'import_bad_rows',
        endUserId: connection.endUserId,
        connection,
        variables: { sync: data.sync, rejected, added: data.added ?? 0, updated: data.updated ?? 0 },
      };
    }
    case 'end_user.plan_changed': {
      const from = typeof data.from === 'string' ? data.from : null;
      const to = typeof data.to === 'string' ? data.to : null;
      return {
        kind: 'plan_changed',
        endUserId: String(data.endUserId),
        connection: null,
        variables: {
          fromPlan: await deps.planName(env, from),
          toPlan: await deps.planName(env, to),
          source: data.source ?? 'api',
        },
      };
    }
    default:
      return null;
  }
}

/** How many of the sync's latest finished runs failed in a row. */
export async function failureStreak(
  db: Kysely<Database>,
  environmentId: string,
  connectionId: string,
  syncName: string,
): Promise<number> {
  const runs = await db
    .selectFrom('sync_runs')
    .select('status')
    .where('environment_id', '=', environmentId)
    .where('connection_id', '=', connectionId)
    .where('sync_name', '=', syncName)
    .where('status', 'in', ['succeeded', 'failed'])
    .orderBy('id', 'desc')
    .limit(MAX_STREAK)
    .execute();
  const firstSuccess = runs.findIndex((run) => run.status !== 'failed');
  return firstSuccess === -1 ? runs.length : firstSuccess;
}
