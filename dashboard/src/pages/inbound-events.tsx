/** Inbound provider webhooks: filter by status (unrouted among them), integration and type. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
import type { ApiListInboundEventsParams } from '../api/client.ts';
import { api, call } from '../api/http.ts';
import { Status, Time } from '../components/format.tsx';
import { Pager, useFilters } from '../components/pager.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';

const STATUSES = ['received', 'processed', 'unrouted', 'failed'] as const;

export default function InboundEvents() {
  const [filters, setFilter] = useFilters(['status', 'integration', 'type'] as const);
  const ids = { status: useId(), integration: useId(), type: useId() };
  const query: ApiListInboundEventsParams = {
    limit: 50,
    ...(filters.integration ? { integration: filters.integration } : {}),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.after ? { after: filters.after } : {}),
    ...(filters.status && (STATUSES as readonly string[]).includes(filters.status)
      ? { status: filters.status as (typeof STATUSES)[number] }
      : {}),
  };
  const integrations = useQuery({
    queryKey: ['integrations'],
    queryFn: () => call(() => api.v1.listIntegrations()),
  });
  const events = useQuery({
    queryKey: ['inbound-events', query],
    queryFn: () => call(() => api.v1.listInboundEvents(query)),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Inbound events</h1>
      <form
        className="filters"
        onSubmit={(event) => event.preventDefault()}
        aria-label="Filter inbound events"
      >
        <label htmlFor={ids.status}>Status</label>
        <select
          id={ids.status}
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
        <label htmlFor={ids.type}>Event type</label>
        <input
          id={ids.type}
          type="search"
          defaultValue={filters.type ?? ''}
          onKeyDown={(event) => {
            if (event.key === 'Enter') setFilter('type', event.currentTarget.value.trim());
          }}
          onBlur={(event) => setFilter('type', event.currentTarget.value.trim())}
        />
      </form>
      {events.isPending ? (
        <Loading what="inbound events" />
      ) : events.isError ? (
        <ErrorState error={events.error} retry={() => void events.refetch()} />
      ) : events.data.data.length === 0 ? (
        <Empty>No inbound event matches these filters.</Empty>
      ) : (
        <>
          <table aria-busy={events.isFetching}>
            <caption className="visually-hidden">Inbound events</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Integration</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Connections</th>
                <th scope="col">Received</th>
              </tr>
            </thead>
            <tbody>
              {events.data.data.map((event) => (
                <tr key={event.id}>
                  <td>
                    <Link to={`/inbound-events/${encodeURIComponent(event.id)}`}>{event.id}</Link>
                  </td>
                  <td>{event.integrationKey}</td>
                  <td>{event.eventType ?? '—'}</td>
                  <td>
                    <Status value={event.status} />
                  </td>
                  <td>{event.connectionIds.length}</td>
                  <td>
                    <Time value={event.receivedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager nextAfter={events.data.nextAfter} />
        </>
      )}
    </>
  );
}
