/**
 * Overview: is the engine ready, which connections need attention now (each one click from
 * here), and charts of the environment's connections by status and recent sync runs by outcome.
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ApiConnection } from '../api/client.ts';
import { api, call } from '../api/http.ts';
import { relative, Status, Time } from '../components/format.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';

const STATUSES = ['active', 'refreshing', 'reauth_required', 'error', 'disconnected'] as const;
/** The per-status count is of one page at most: the chart says "200+" above it. */
const COUNT_LIMIT = 200;

function Readiness() {
  const ready = useQuery({
    queryKey: ['ready'],
    queryFn: () => call(() => api.ready.getReadiness()),
    retry: false,
  });
  const health = useQuery({ queryKey: ['health'], queryFn: () => call(() => api.health.getHealth()) });
  return (
    <section aria-labelledby="health-title" className="card">
      <h2 id="health-title">Health</h2>
      <dl className="facts">
        <dt>Process</dt>
        <dd>
          {health.isPending ? '…' : health.isError ? <Status value="failed" /> : <Status value="ready" />}
        </dd>
        <dt>Version</dt>
        <dd>{health.data?.version ?? '…'}</dd>
        <dt>Readiness</dt>
        <dd>
          {ready.isPending ? '…' : ready.isError ? <Status value="failed" /> : <Status value="ready" />}
          {ready.isError ? <p className="error-text">{ready.error.message}</p> : null}
          {ready.data ? <span className="muted"> ({ready.data.checks.join(', ')})</span> : null}
        </dd>
      </dl>
    </section>
  );
}

function Queue() {
  const queue = useQuery({
    queryKey: ['queue-depth'],
    queryFn: () => call(() => api.v1.getDashboardQueue()),
    refetchInterval: 10_000,
  });
  return (
    <section aria-labelledby="queue-title" className="card">
      <h2 id="queue-title">Queue</h2>
      {queue.isPending ? (
        <Loading what="the queue" />
      ) : queue.isError ? (
        <ErrorState error={queue.error} retry={() => void queue.refetch()} />
      ) : (
        <dl className="facts">
          <dt>Waiting</dt>
          <dd>{queue.data.waiting}</dd>
          <dt>Oldest waiting</dt>
          <dd>
            {queue.data.oldestWaitingAt ? (
              <>
                due <Time value={queue.data.oldestWaitingAt} /> ({relative(queue.data.oldestWaitingAt)})
              </>
            ) : (
              'no backlog'
            )}
          </dd>
          <dt>Running</dt>
          <dd>{queue.data.running}</dd>
          <dt>Scheduled later</dt>
          <dd>{queue.data.later}</dd>
          <dt>Dead</dt>
          <dd>{queue.data.dead === 0 ? 0 : <span className="error-text">{queue.data.dead}</span>}</dd>
        </dl>
      )}
    </section>
  );
}

function NeedsAttention() {
  const [reauth, failing] = useQueries({
    queries: (['reauth_required', 'error'] as const).map((status) => ({
      queryKey: ['connections', { status, limit: 50 }],
      queryFn: () => call(() => api.v1.listConnections({ status, limit: 50 })),
    })),
  });
  if (!reauth || !failing) return null;
  const failed = reauth.error ?? failing.error;
  const connections: ApiConnection[] = [...(reauth.data?.data ?? []), ...(failing.data?.data ?? [])];
  return (
    <section aria-labelledby="attention-title" className="card wide">
      <h2 id="attention-title">Connections needing attention</h2>
      {reauth.isPending || failing.isPending ? (
        <Loading what="connections" />
      ) : failed ? (
        <ErrorState error={failed} retry={() => void Promise.all([reauth.refetch(), failing.refetch()])} />
      ) : connections.length === 0 ? (
        <Empty>No connection needs attention: none is waiting for reauthorization or failing.</Empty>
      ) : (
        <table>
          <caption className="visually-hidden">Connections waiting for reauthorization or failing</caption>
          <thead>
            <tr>
              <th scope="col">End user</th>
              <th scope="col">Provider</th>
              <th scope="col">Status</th>
              <th scope="col">Last error</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {connections.map((connection) => (
              <tr key={connection.id}>
                <td>
                  <Link to={`/connections/${encodeURIComponent(connection.id)}`}>
                    {connection.endUser.id}
                  </Link>
                </td>
                <td>{connection.provider}</td>
                <td>
                  <Status value={connection.status} />
                </td>
                <td>{connection.lastError?.message ?? '—'}</td>
                <td>
                  <Time value={connection.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ConnectionsByStatus() {
  const results = useQueries({
    queries: STATUSES.map((status) => ({
      queryKey: ['connections', { status, limit: COUNT_LIMIT }],
      queryFn: () => call(() => api.v1.listConnections({ status, limit: COUNT_LIMIT })),
    })),
  });
  const failed = results.find((result) => result.isError);
  const data = STATUSES.map((status, index) => ({
    status: status.replaceAll('_', ' '),
    connections: results[index]?.data?.data.length ?? 0,
    more: Boolean(results[index]?.data?.nextAfter),
  }));
  return (
    <section aria-labelledby="by-status-title" className="card">
      <h2 id="by-status-title">Connections by status</h2>
      {results.some((result) => result.isPending) ? (
        <Loading what="connections" />
      ) : failed ? (
        <ErrorState error={failed.error} />
      ) : (
        <>
          <div className="chart" aria-hidden="true">
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={data} accessibilityLayer={false}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="status" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="connections" fill="var(--accent)" />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <ul className="chart-text">
            {data.map((row) => (
              <li key={row.status}>
                {row.status}: {row.connections}
                {row.more ? '+' : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function RecentSyncRuns() {
  const runs = useQuery({
    queryKey: ['sync-runs', { limit: 200 }],
    queryFn: () => call(() => api.v1.listSyncRuns({ limit: 200 })),
  });
  const byDay = new Map<string, { day: string; succeeded: number; failed: number; other: number }>();
  for (const run of runs.data?.data ?? []) {
    const day = run.createdAt.slice(0, 10);
    const row = byDay.get(day) ?? { day, succeeded: 0, failed: 0, other: 0 };
    if (run.status === 'succeeded') row.succeeded++;
    else if (run.status === 'failed') row.failed++;
    else row.other++;
    byDay.set(day, row);
  }
  const data = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  return (
    <section aria-labelledby="runs-title" className="card">
      <h2 id="runs-title">Sync runs by outcome</h2>
      {runs.isPending ? (
        <Loading what="sync runs" />
      ) : runs.isError ? (
        <ErrorState error={runs.error} />
      ) : data.length === 0 ? (
        <Empty>No sync has run yet.</Empty>
      ) : (
        <>
          <div className="chart" aria-hidden="true">
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={data} accessibilityLayer={false}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="day" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="succeeded" stackId="runs" fill="var(--good)" />
                <Bar dataKey="failed" stackId="runs" fill="var(--bad)" />
                <Bar dataKey="other" stackId="runs" fill="var(--muted)" />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <ul className="chart-text">
            {data.map((row) => (
              <li key={row.day}>
                {row.day}: {row.succeeded} succeeded, {row.failed} failed, {row.other} other
              </li>
            ))}
          </ul>
          <p>
            <Link to="/sync-runs?status=failed">Failed sync runs</Link>
          </p>
        </>
      )}
    </section>
  );
}

export default function Overview() {
  return (
    <>
      <h1>Overview</h1>
      <div className="grid">
        <Readiness />
        <Queue />
        <NeedsAttention />
        <ConnectionsByStatus />
        <RecentSyncRuns />
      </div>
    </>
  );
}
