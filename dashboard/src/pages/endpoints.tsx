/** Outbound webhook endpoints of the environment, paged by cursor. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call } from '../api/http.ts';
import { Status, Time } from '../components/format.tsx';
import { Pager, useFilters } from '../components/pager.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';

export default function Endpoints() {
  const [filters] = useFilters([] as const);
  const query = { limit: 50, ...(filters.after ? { after: filters.after } : {}) };
  const endpoints = useQuery({
    queryKey: ['endpoints', query],
    queryFn: () => call(() => api.v1.listEndpoints(query)),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Outbound endpoints</h1>
      <p>
        <Link to="/messages?status=failed">Failed messages</Link>
      </p>
      {endpoints.isPending ? (
        <Loading what="endpoints" />
      ) : endpoints.isError ? (
        <ErrorState error={endpoints.error} retry={() => void endpoints.refetch()} />
      ) : endpoints.data.data.length === 0 ? (
        <Empty>No endpoint yet: create one with POST /v1/endpoints.</Empty>
      ) : (
        <>
          <table>
            <caption className="visually-hidden">Endpoints</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">State</th>
                <th scope="col">Event types</th>
                <th scope="col">Failing since</th>
                <th scope="col">Last success</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.data.map((endpoint) => (
                <tr key={endpoint.id}>
                  <td>
                    <Link to={`/endpoints/${encodeURIComponent(endpoint.id)}`}>{endpoint.url}</Link>
                    {endpoint.description ? <div className="muted">{endpoint.description}</div> : null}
                  </td>
                  <td>
                    {endpoint.enabled ? (
                      <Status value={endpoint.failingSince ? 'failing' : 'active'} />
                    ) : (
                      <Status value={`disabled (${endpoint.disabledReason ?? 'manual'})`} />
                    )}
                  </td>
                  <td>{endpoint.eventTypes?.join(', ') ?? 'all'}</td>
                  <td>
                    <Time value={endpoint.failingSince} />
                  </td>
                  <td>
                    <Time value={endpoint.lastSuccessAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager nextAfter={endpoints.data.nextAfter} />
        </>
      )}
    </>
  );
}
