/** One outbound message: its payload, every delivery attempt with the receiver's answer; resend. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, call } from '../api/http.ts';
import { JsonView, Status, Time } from '../components/format.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';

export default function Message() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const message = useQuery({
    queryKey: ['message', id],
    queryFn: () => call(() => api.v1.getMessage({ id })),
    retry: false,
    // While a delivery is pending, follow it until it settles.
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? 1_000 : false),
  });
  const attempts = useQuery({
    queryKey: ['attempts', id, message.data?.attempts],
    queryFn: () => call(() => api.v1.listMessageAttempts({ id, limit: 50 })),
    enabled: message.isSuccess,
  });
  const resend = useMutation({
    mutationFn: () => call(() => api.v1.resendMessage({ id })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['message', id] }),
  });
  if (message.isPending) return <Loading what="the message" />;
  if (message.isError) return <ErrorState error={message.error} />;
  const data = message.data;
  return (
    <>
      <p className="crumbs">
        <Link to="/messages">Messages</Link> / {data.id}
      </p>
      <h1>
        {data.eventType} <Status value={data.status} />
      </h1>
      <div className="grid">
        <section aria-labelledby="message-title" className="card">
          <h2 id="message-title">Message</h2>
          <dl className="facts">
            <dt>Endpoint</dt>
            <dd>
              <Link to={`/endpoints/${encodeURIComponent(data.endpointId)}`}>{data.endpointId}</Link>
            </dd>
            <dt>Attempts</dt>
            <dd>{data.attempts}</dd>
            <dt>Next attempt</dt>
            <dd>
              <Time value={data.nextAttemptAt} />
            </dd>
            <dt>Last attempt</dt>
            <dd>
              <Time value={data.lastAttemptAt} />
            </dd>
            <dt>Created</dt>
            <dd>
              <Time value={data.createdAt} />
            </dd>
          </dl>
          <button type="button" onClick={() => resend.mutate()} disabled={resend.isPending}>
            Resend now
          </button>
          <div aria-live="polite">{resend.data ? <p>Resend queued.</p> : null}</div>
          {resend.isError ? <ErrorState error={resend.error} /> : null}
        </section>
        <section aria-labelledby="payload-title" className="card">
          <h2 id="payload-title">Payload</h2>
          <JsonView value={data.payload} label="Payload" />
        </section>
        <section aria-labelledby="attempts-title" className="card wide">
          <h2 id="attempts-title">Attempts</h2>
          {attempts.isPending ? (
            <Loading what="attempts" />
          ) : attempts.isError ? (
            <ErrorState error={attempts.error} />
          ) : attempts.data.data.length === 0 ? (
            <Empty>No delivery attempt yet.</Empty>
          ) : (
            <table>
              <caption className="visually-hidden">Delivery attempts</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Response</th>
                  <th scope="col">Duration</th>
                  <th scope="col">At</th>
                </tr>
              </thead>
              <tbody>
                {attempts.data.data.map((attempt) => (
                  <tr key={attempt.id}>
                    <td>{attempt.attempt}</td>
                    <td>{attempt.trigger}</td>
                    <td>
                      <Status value={attempt.status} />
                      {attempt.errorCode ? (
                        <div className="error-text">
                          {attempt.errorCode}: {attempt.errorMessage}
                        </div>
                      ) : null}
                    </td>
                    <td>
                      {attempt.responseStatus === null ? '—' : `HTTP ${attempt.responseStatus}`}
                      {attempt.responseBody ? <pre className="response">{attempt.responseBody}</pre> : null}
                    </td>
                    <td>{attempt.durationMs} ms</td>
                    <td>
                      <Time value={attempt.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </>
  );
}
