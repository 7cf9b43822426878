/** One inbound event: routing, processing outcome, headers and payload as received; reprocess. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, call } from '../api/http.ts';
import { JsonView, Status, Time } from '../components/format.tsx';
import { ErrorState, Loading } from '../components/states.tsx';

export default function InboundEvent() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const event = useQuery({
    queryKey: ['inbound-event', id],
    queryFn: () => call(() => api.v1.getInboundEvent({ id })),
    retry: false,
  });
  const reprocess = useMutation({
    mutationFn: () => call(() => api.v1.reprocessInboundEvent({ id })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['inbound-event', id] });
      await client.invalidateQueries({ queryKey: ['inbound-events'] });
    },
  });
  if (event.isPending) return <Loading what="the inbound event" />;
  if (event.isError) return <ErrorState error={event.error} />;
  const data = event.data;
  return (
    <>
      <p className="crumbs">
        <Link to="/inbound-events">Inbound events</Link> / {data.id}
      </p>
      <h1>
        {data.eventType ?? 'Event'} from {data.integrationKey} <Status value={data.status} />
      </h1>
      <div className="grid">
        <section aria-labelledby="event-title" className="card">
          <h2 id="event-title">Event</h2>
          <dl className="facts">
            <dt>Verification</dt>
            <dd>
              {/* Only events whose signature (or URL token) verified are stored: the rest are refused at intake. */}
              verified at intake
            </dd>
            <dt>Provider event id</dt>
            <dd>{data.providerEventId ?? '—'}</dd>
            <dt>Routed to</dt>
            <dd>
              {data.connectionIds.length === 0
                ? 'no connection (unrouted)'
                : data.connectionIds.map((connectionId) => (
                    <Link key={connectionId} to={`/connections/${encodeURIComponent(connectionId)}`}>
                      {connectionId}{' '}
                    </Link>
                  ))}
            </dd>
            <dt>Attempts</dt>
            <dd>{data.attempts}</dd>
            <dt>Received</dt>
            <dd>
              <Time value={data.receivedAt} />
            </dd>
            <dt>Processed</dt>
            <dd>
              <Time value={data.processedAt} />
            </dd>
            <dt>Error</dt>
            <dd className={data.error ? 'error-text' : undefined}>
              {data.error ? `${data.error.code}: ${data.error.message}` : '—'}
            </dd>
          </dl>
        </section>
        <section aria-labelledby="reprocess-title" className="card">
          <h2 id="reprocess-title">Reprocess</h2>
          <p>Routes the stored event again (after a connection was created or a handler fixed).</p>
          <button type="button" onClick={() => reprocess.mutate()} disabled={reprocess.isPending}>
            Reprocess this event
          </button>
          <div aria-live="polite">
            {reprocess.data ? <p>Reprocessed: now {reprocess.data.status}</p> : null}
          </div>
          {reprocess.isError ? <ErrorState error={reprocess.error} /> : null}
        </section>
        <section aria-labelledby="payload-title" className="card wide">
          <h2 id="payload-title">
            Payload{' '}
            <span className="muted">
              ({data.payload.kind}, {data.contentType ?? 'no content type'})
            </span>
          </h2>
          {data.payload.reason ? <p className="error-text">Not parsed: {data.payload.reason}</p> : null}
          <JsonView value={data.payload.value} label="Payload" />
        </section>
        <section aria-labelledby="headers-title" className="card wide">
          <h2 id="headers-title">Headers</h2>
          <JsonView value={data.headers} label="Headers" />
        </section>
      </div>
    </>
  );
}
