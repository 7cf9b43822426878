/** Sync runs, newest first: filter by connection, sync and status; paged by cursor in the URL. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
import type { ApiListSyncRunsParams } from '../api/client.ts';
import { api, call } from '../api/http.ts';
import { Status, Time } from '../components/format.tsx';
import { Pager, useFilters } from '../components/pager.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export default function SyncRuns() {
  const [filters, setFilter] = useFilters(['connectionId', 'sync', 'status'] as const);
  const statusId = useId();
  const syncId = useId();
  const query: ApiListSyncRunsParams = {
    limit: 50,
    ...(filters.connectionId ? { connectionId: filters.connectionId } : {}),
    ...(filters.sync ? { sync: filters.sync } : {}),
    ...(filters.after ? { after: filters.after } : {}),
    ...(filters.status && (STATUSES as readonly string[]).includes(filters.status)
      ? { status: filters.status as (typeof STATUSES)[number] }
      : {}),
  };
  const runs = useQuery({
    queryKey: ['sync-runs', query],
    queryFn: () => call(() => api.v1.listSyncRuns(query)),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Sync runs</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter sync runs">
        <label htmlFor={statusId}>Status</label>
        <select
          id={statusId}
          value={filters.status ?? ''}
          onChange={(event) => setFilter('status', event.target.value)}
        >
          <option value="">Any</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
        <label htmlFor={syncId}>Sync name</label>
        <input
          id={syncId}
          type="search"
          defaultValue={filters.sync ?? ''}
          onKeyDown={(event) => {
            if (event.key === 'Enter') setFilter('sync', event.currentTarget.value.trim());
          }}
          onBlur={(event) => setFilter('sync', event.currentTarget.value.trim())}
        />
        {filters.connectionId ? (
          <button type="button" onClick={() => setFilter('connectionId', '')}>
            Show every connection's runs
          </button>
        ) : null}
      </form>
      {runs.isPending ? (
        <Loading what="sync runs" />
      ) : runs.isError ? (
        <ErrorState error={runs.error} retry={() => void runs.refetch()} />
      ) : runs.data.data.length === 0 ? (
        <Empty>No sync run matches these filters.</Empty>
      ) : (
        <>
          <table aria-busy={runs.isFetching}>
            <caption className="visually-hidden">Sync runs</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Sync</th>
                <th scope="col">Status</th>
                <th scope="col">Records (added / updated / deleted)</th>
                <th scope="col">Error</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.data.map((run) => (
                <tr key={run.id}>
                  <td>
                    <Link to={`/sync-runs/${encodeURIComponent(run.id)}`}>{run.id}</Link>
                  </td>
                  <td>{run.sync}</td>
                  <td>
                    <Status value={run.status} />
                  </td>
                  <td>
                    {run.added} / {run.updated} / {run.deleted}
                  </td>
                  <td className="error-text">{run.error?.message ?? ''}</td>
                  <td>
                    <Time value={run.startedAt ?? run.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager nextAfter={runs.data.nextAfter} />
        </>
      )}
    </>
  );
}
