/**
 * The weekly digest: for each end user with connections, their connections, the sync runs of the
 * week (Monday to Sunday, UTC) and what needs attention. Read-only over the connections and sync
 * runs; the service sends what this yields.
 */
import type { Intent, PlannerDeps } from './planner.ts';

const DAY_MS = 86_400_000;

/** The week (Monday 00:00 UTC to the next Monday) that ended last before `now`. */
export function weekOf(now: number): { start: string; end: string; from: number; until: number } {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  // 1970-01-01 was a Thursday: day index 4 → Monday is (days + 3) % 7 === 0.
  const sinceMonday = (Math.floor(now / DAY_MS) + 3) % 7;
  const until = today - sinceMonday * DAY_MS;
  const from = until - 7 * DAY_MS;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { start: day(from), end: day(until - DAY_MS), from, until };
}

const PAGE = 200;

/** One digest intent per end user of the environment who has at least one connection. */
export async function* digestIntents(
  deps: PlannerDeps,
  environmentId: string,
  week: { start: string; end: string; from: number; until: number },
): AsyncGenerator<Intent> {
  let after = '';
  for (;;) {
    const owners = await deps.db
      .selectFrom('connections')
      .select('end_user_id')
      .distinct()
      .where('environment_id', '=', environmentId)
      .where('end_user_id', '>', after)
      .orderBy('end_user_id')
      .limit(PAGE)
      .execute();
    for (const { end_user_id: endUserId } of owners) {
      const intent = await digestOf(deps, environmentId, endUserId, week);
      if (intent) yield intent;
    }
    if (owners.length < PAGE) return;
    after = owners.at(-1)!.end_user_id;
  }
}

async function digestOf(
  deps: PlannerDeps,
  environmentId: string,
  endUserId: string,
  week: { start: string; end: string; from: number; until: number },
): Promise<Intent | null> {
  const connections = await deps.db
    .selectFrom('connections')
    .select(['id', 'status', 'last_error_message'])
    .where('environment_id', '=', environmentId)
    .where('end_user_id', '=', endUserId)
    .orderBy('id')
    .execute();
  if (connections.length === 0) return null;
  const counts = await deps.db
    .selectFrom('sync_runs')
    .select(['connection_id', 'status', (eb) => eb.fn.countAll<string | number>().as('runs')])
    .where('environment_id', '=', environmentId)
    .where(
      'connection_id',
      'in',
      connections.map((c) => c.id),
    )
    .where('status', 'in', ['succeeded', 'failed'])
    .where('created_at', '>=', week.from)
    .where('created_at', '<', week.until)
    .groupBy(['connection_id', 'status'])
    .execute();
  const runs = (connectionId: string, status: string) =>
    Number(counts.find((c) => c.connection_id === connectionId && c.status === status)?.runs ?? 0);
  const items = [];
  const problems: Array<{ text: string }> = [];
  for (const connection of connections) {
    const facts = await deps.connection(environmentId, connection.id);
    const name = facts?.name ?? connection.id;
    const succeeded = runs(connection.id, 'succeeded');
    const failed = runs(connection.id, 'failed');
    items.push({ name, status: connection.status, succeeded, failed });
    if (connection.status === 'reauth_required') problems.push({ text: `${name} needs to be reconnected` });
    else if (connection.status === 'error')
      problems.push({
        text: `${name} has an error${connection.last_error_message ? `: ${connection.last_error_message}` : ''}`,
      });
    if (failed > 0) problems.push({ text: `${name}: ${failed} sync run${failed === 1 ? '' : 's'} failed` });
  }
  return {
    kind: 'weekly_digest',
    endUserId,
    connection: null,
    variables: {
      weekStart: week.start,
      weekEnd: week.end,
      connections: items,
      succeeded: items.reduce((sum, item) => sum + item.succeeded, 0),
      failed: items.reduce((sum, item) => sum + item.failed, 0),
      problems,
    },
  };
}
