/**
 * One endpoint: its settings, enable or disable it, rotate its signing secret with a grace period
 * (the old secret keeps signing until it ends), and its recent messages.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../api/http.ts';
import { Status, Time } from '../components/format.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';

const GRACE_CHOICES = [
  { seconds: 0, label: 'none: the old secret stops at once' },
  { seconds: 3_600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours (default)' },
  { seconds: 604_800, label: '7 days' },
] as const;

function RotateSecret({ endpointId }: { endpointId: string }) {
  const graceId = useId();
  const [grace, setGrace] = useState(86_400);
  const rotate = useMutation({
    mutationFn: (graceSeconds: number) =>
      call(() => api.v1.rotateEndpointSecret({ id: endpointId }, { graceSeconds })).then((result) => ({
        ...result,
        graceSeconds,
        graceEndsAt: new Date(Date.now() + graceSeconds * 1000).toISOString(),
      })),
  });
  const [revealed, setRevealed] = useState(false);
  return (
    <section aria-labelledby="secret-title" className="card">
      <h2 id="secret-title">Signing secret</h2>
      <div className="filters">
        <label htmlFor={graceId}>Old secret keeps signing for</label>
        <select id={graceId} value={grace} onChange={(event) => setGrace(Number(event.target.value))}>
          {GRACE_CHOICES.map((choice) => (
            <option key={choice.seconds} value={choice.seconds}>
              {choice.label}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => rotate.mutate(grace)} disabled={rotate.isPending}>
          Rotate secret
        </button>
      </div>
      <div aria-live="polite">
        {rotate.data ? (
          <>
            <p>
              Rotated.{' '}
              {rotate.data.graceSeconds === 0 ? (
                'The old secret no longer signs.'
              ) : (
                <>
                  Grace period: deliveries are signed with both secrets until{' '}
                  <time dateTime={rotate.data.graceEndsAt}>
                    {new Date(rotate.data.graceEndsAt).toLocaleString()}
                  </time>
                  .
                </>
              )}
            </p>
            {revealed ? (
              <p>
                New secret: <code>{rotate.data.secret}</code>
              </p>
            ) : (
              <button type="button" onClick={() => setRevealed(true)}>
                Reveal the new secret
              </button>
            )}
          </>
        ) : null}
      </div>
      {rotate.isError ? <ErrorState error={rotate.error} /> : null}
    </section>
  );
}

export default function Endpoint() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const endpoint = useQuery({
    queryKey: ['endpoint', id],
    queryFn: () => call(() => api.v1.getEndpoint({ id })),
    retry: false,
  });
  const messages = useQuery({
    queryKey: ['messages', { endpointId: id, limit: 25 }],
    queryFn: () => call(() => api.v1.listMessages({ endpointId: id, limit: 25 })),
    enabled: endpoint.isSuccess,
  });
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => call(() => api.v1.updateEndpoint({ id }, { enabled })),
    onSuccess: (updated) => {
      client.setQueryData(['endpoint', id], updated);
      return client.invalidateQueries({ queryKey: ['endpoints'] });
    },
  });
  if (endpoint.isPending) return <Loading what="the endpoint" />;
  if (endpoint.isError) return <ErrorState error={endpoint.error} />;
  const data = endpoint.data;
  return (
    <>
      <p className="crumbs">
        <Link to="/endpoints">Endpoints</Link> / {data.id}
      </p>
      <h1>{data.url}</h1>
      <div className="grid">
        <section aria-labelledby="endpoint-title" className="card">
          <h2 id="endpoint-title">Endpoint</h2>
          <dl className="facts">
            <dt>State</dt>
            <dd>
              {data.enabled ? (
                <Status value="active" />
              ) : (
                <Status value={`disabled (${data.disabledReason ?? 'manual'})`} />
              )}
            </dd>
            <dt>Event types</dt>
            <dd>{data.eventTypes?.join(', ') ?? 'all'}</dd>
            <dt>Channels</dt>
            <dd>{data.channels?.join(', ') ?? 'all'}</dd>
            <dt>Rate limit</dt>
            <dd>{data.rateLimitPerSecond === null ? 'none' : `${data.rateLimitPerSecond}/s`}</dd>
            <dt>Failing since</dt>
            <dd>
              <Time value={data.failingSince} />
            </dd>
            <dt>Last success</dt>
            <dd>
              <Time value={data.lastSuccessAt} />
            </dd>
          </dl>
          <button type="button" onClick={() => toggle.mutate(!data.enabled)} disabled={toggle.isPending}>
            {data.enabled ? 'Disable' : 'Enable'} endpoint
          </button>
          {toggle.isError ? <ErrorState error={toggle.error} /> : null}
        </section>
        <RotateSecret endpointId={id} />
        <section aria-labelledby="messages-title" className="card wide">
          <h2 id="messages-title">Recent messages</h2>
          {messages.isPending ? (
            <Loading what="messages" />
          ) : messages.isError ? (
            <ErrorState error={messages.error} />
          ) : messages.data.data.length === 0 ? (
            <Empty>No message was sent to this endpoint yet.</Empty>
          ) : (
            <table>
              <caption className="visually-hidden">Recent messages to this endpoint</caption>
              <thead>
                <tr>
                  <th scope="col">Message</th>
                  <th scope="col">Event type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
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
                      <Time value={message.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            <Link to={`/messages?endpointId=${encodeURIComponent(id)}`}>All messages to this endpoint</Link>
          </p>
        </section>
      </div>
    </>
  );
}
