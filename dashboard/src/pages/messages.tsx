/** Outbound messages: filter by endpoint, status and event type, paged by cursor. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
import type { ApiListMessagesParams } from '../api/client.ts';
import { api, call } from '../api/http.ts';
import { Status, Time } from '../components/format.tsx';
import { Pager, useFilters } from '../components/pager.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';

const STATUSES = ['pending', 'succeeded', 'failed'] as const;

export default function Messages() {
  const [filters, setFilter] = useFilters(['endpointId', 'status', 'eventType'] as const);
  const ids = { status: useId(), type: useId() };
  const query: ApiListMessagesParams = {
    limit: 50,
    ...(filters.endpointId ? { endpointId: filters.endpointId } : {}),
    ...(filters.eventType ? { eventType: filters.eventType } : {}),
    ...(filters.after ? { after: filters.after } : {}),
    ...(filters.status && (STATUSES as readonly string[]).includes(filters.status)
      ? { status: filters.status as (typeof STATUSES)[number] }
      : {}),
  };
  const messages = useQuery({
    queryKey: ['messages', query],
    queryFn: () => call(() => api.v1.listMessages(query)),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <h1>Outbound messages</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter messages">
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
        <label htmlFor={ids.type}>Event type</label>
        <input
          id={ids.type}
          type="search"
          defaultValue={filters.eventType ?? ''}
          onKeyDown={(event) => {
            if (event.key === 'Enter') setFilter('eventType', event.currentTarget.value.trim());
          }}
          onBlur={(event) => setFilter('eventType', event.currentTarget.value.trim())}
        />
        {filters.endpointId ? (
          <button type="button" onClick={() => setFilter('endpointId', '')}>
            Show every endpoint's messages
          </button>
        ) : null}
      </form>
      {messages.isPending ? (
        <Loading what="messages" />
      ) : messages.isError ? (
        <ErrorState error={messages.error} retry={() => void messages.refetch()} />
      ) : messages.data.data.length === 0 ? (
        <Empty>No message matches these filters.</Empty>
      ) : (
        <>
          <table aria-busy={messages.isFetching}>
            <caption className="visually-hidden">Messages</caption>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">Event type</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next attempt</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {messages.data.data.map((message) => (
                <tr key={message.id}>
                  <td>
                    <Link to={`/messages/${encodeURIComponent(message.id)}`}>{message.id}</Link>
                  </td>
                  <td>{message.eventType}</td>
                  <td>
                    <Status value={message.status} />
                  </td>
                  <td>{message.attempts}</td>
                  <td>
                    <Time value={message.nextAttemptAt} />
                  </td>
                  <td>
                    <Time value={message.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager nextAfter={messages.data.nextAfter} />
        </>
      )}
    </>
  );
}
