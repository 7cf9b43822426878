/** Connections: filter by end user, status and provider (integration), paged by cursor in the URL. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
import type { ApiListConnectionsParams } from '../api/client.ts';
import { api, call } from '../api/http.ts';
import { Status, Time } from '../components/format.tsx';
import { Pager, useFilters } from '../components/pager.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';

const STATUSES = ['active', 'refreshing', 'reauth_required', 'error', 'disconnected'] as const;
const PAGE = 50;

export default function Connections() {
  const [filters, setFilter] = useFilters(['endUserId', 'status', 'integration'] as const);
  const ids = { endUser: useId(), status: useId(), integration: useId() };
  const query: ApiListConnectionsParams = {
    limit: PAGE,
    ...(filters.endUserId ? { endUserId: filters.endUserId } : {}),
    ...(filters.integration ? { integration: filters.integration } : {}),
    ...(filters.after ? { after: filters.after } : {}),
    ...(filters.status && (STATUSES as readonly string[]).includes(filters.status)
      ? { status: filters.status as (typeof STATUSES)[number] }
      : {}),
  };
  const integrations = useQuery({
    queryKey: ['integrations'],
    queryFn: () => call(() => api.v1.listIntegrations()),
  });
  const connections = useQuery({
    queryKey: ['connections', query],
    queryFn: () => call(() => api.v1.listConnections(query)),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <h1>Connections</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter connections">
        <label htmlFor={ids.endUser}>End user id</label>
        <input
          id={ids.endUser}
          type="search"
          defaultValue={filters.endUserId ?? ''}
          onKeyDown={(event) => {
            if (event.key === 'Enter') setFilter('endUserId', event.currentTarget.value.trim());
          }}
          onBlur={(event) => setFilter('endUserId', event.currentTarget.value.trim())}
        />
        <label htmlFor={ids.status}>Status</label>
        <select
          id={ids.status}
          value={filters.status ?? ''}
          onChange={(event) => setFilter('status', event.target.value)}
        >
          <option value="">Any</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status.replaceAll('_', ' ')}
            </option>
          ))}
        </select>
        <label htmlFor={ids.integration}>Integration</label>
        <select
          id={ids.integration}
          value={filters.integration ?? ''}
          onChange={(event) => setFilter('integration', event.target.value)}
        >
          <option value="">Any</option>
          {(integrations.data?.data ?? []).map((integration) => (
            <option key={integration.id} value={integration.key}>
              {integration.key}
            </option>
          ))}
        </select>
      </form>
      {connections.isPending ? (
        <Loading what="connections" />
      ) : connections.isError ? (
        <ErrorState error={connections.error} retry={() => void connections.refetch()} />
      ) : connections.data.data.length === 0 ? (
        <Empty>No connection matches these filters.</Empty>
      ) : (
        <>
          <table aria-busy={connections.isFetching}>
            <caption className="visually-hidden">Connections</caption>
            <thead>
              <tr>
                <th scope="col">End user</th>
                <th scope="col">Integration</th>
                <th scope="col">Status</th>
                <th scope="col">Credentials expire</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {connections.data.data.map((connection) => (
                <tr key={connection.id}>
                  <td>
                    <Link to={`/connections/${encodeURIComponent(connection.id)}`}>
                      {connection.endUser.id}
                    </Link>
                    {connection.endUser.email ? (
                      <span className="muted"> {connection.endUser.email}</span>
                    ) : null}
                  </td>
                  <td>{connection.integrationKey}</td>
                  <td>
                    <Status value={connection.status} />
                  </td>
                  <td>
                    <Time value={connection.expiresAt} />
                  </td>
                  <td>
                    <Time value={connection.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager nextAfter={connections.data.nextAfter} />
        </>
      )}
    </>
  );
}
