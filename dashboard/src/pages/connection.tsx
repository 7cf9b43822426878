/**
 * One connection: status, credential expiry (never a credential), last error; test it, open a
 * reconnect link, delete it; its syncs (pause, resume, run now) and their recent runs; its records.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { ApiConnection, ApiConnectionSync } from '../api/client.ts';
import { api, call } from '../api/http.ts';
import { JsonView, relative, Status, Time } from '../components/format.tsx';
import { Pager } from '../components/pager.tsx';
import { Empty, ErrorState, Loading } from '../components/states.tsx';

function Facts({ connection }: { connection: ApiConnection }) {
  return (
    <dl className="facts">
      <dt>Status</dt>
      <dd>
        <Status value={connection.status} />
      </dd>
      <dt>End user</dt>
      <dd>
        {connection.endUser.id}
        {connection.endUser.email ? ` (${connection.endUser.email})` : ''}
      </dd>
      <dt>Integration</dt>
      <dd>
        {connection.integrationKey} <span className="muted">({connection.provider})</span>
      </dd>
      <dt>Credentials expire</dt>
      <dd>
        <Time value={connection.expiresAt} />
        {connection.expiresAt ? <span className="muted"> ({relative(connection.expiresAt)})</span> : null}
      </dd>
      <dt>Last refreshed</dt>
      <dd>
        <Time value={connection.lastRefreshedAt} />
      </dd>
      <dt>Last error</dt>
      <dd>
        {connection.lastError ? (
          <span className="error-text">
            <code>{connection.lastError.code}</code>: {connection.lastError.message}
          </span>
        ) : (
          '—'
        )}
      </dd>
      <dt>Created</dt>
      <dd>
        <Time value={connection.createdAt} />
      </dd>
    </dl>
  );
}

function Repairs({ connection }: { connection: ApiConnection }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const test = useMutation({ mutationFn: () => call(() => api.v1.testConnection({ id: connection.id })) });
  const reconnect = useMutation({
    mutationFn: () =>
      call(() =>
        api.v1.createConnectSession({
          endUser: { id: connection.endUser.id },
          allowedIntegrations: [connection.integrationKey],
          connectionId: connection.id,
        }),
      ),
  });
  const remove = useMutation({
    mutationFn: () => call(() => api.v1.deleteConnection({ id: connection.id })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['connections'] });
      navigate('/connections');
    },
  });
  return (
    <section aria-labelledby="repair-title" className="card">
      <h2 id="repair-title">Repair</h2>
      <div className="actions">
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          Test connection
        </button>
        <button type="button" onClick={() => reconnect.mutate()} disabled={reconnect.isPending}>
          Create reconnect link
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              className="danger"
              onClick={() => remove.mutate()}
              disabled={remove.isPending}
            >
              Yes, delete this connection
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete…
          </button>
        )}
      </div>
      <div aria-live="polite">
        {test.data ? (
          <p>
            Test {test.data.ok ? <Status value="succeeded" /> : <Status value="failed" />}
            {test.data.status !== null ? ` (HTTP ${test.data.status})` : ''}
            {test.data.message ? `: ${test.data.message}` : ''}
          </p>
        ) : null}
        {reconnect.data ? (
          <p>
            Send this link to the end user (it expires <Time value={reconnect.data.expiresAt} />
            ):{' '}
            <a href={reconnect.data.url} target="_blank" rel="noopener noreferrer">
              reconnect link
            </a>
          </p>
        ) : null}
      </div>
      {test.isError ? <ErrorState error={test.error} /> : null}
      {reconnect.isError ? <ErrorState error={reconnect.error} /> : null}
      {remove.isError ? <ErrorState error={remove.error} /> : null}
    </section>
  );
}

function SyncRow({ connectionId, sync }: { connectionId: string; sync: ApiConnectionSync }) {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ['connection-syncs', connectionId] });
  const update = useMutation({
    mutationFn: (paused: boolean) =>
      call(() => api.v1.updateSync({ id: connectionId, sync: sync.name }, { paused })),
    onSuccess: refresh,
  });
  const trigger = useMutation({
    mutationFn: () => call(() => api.v1.triggerSync({ id: connectionId, sync: sync.name }, {})),
    onSuccess: async () => {
      await refresh();
      await client.invalidateQueries({ queryKey: ['sync-runs'] });
    },
  });
  const schedule = sync.schedule;
  return (
    <tr>
      <th scope="row">{sync.name}</th>
      <td>
        {schedule ? schedule.paused ? <Status value="paused" /> : <Status value="active" /> : 'not started'}
      </td>
      <td>{schedule ? `every ${Math.round(schedule.frequencySeconds / 60)} min` : sync.defaultFrequency}</td>
      <td>
        <Time value={schedule?.nextRunAt} />
      </td>
      <td>
        <Time value={schedule?.lastSuccessAt} />
      </td>
      <td className="actions">
        {schedule ? (
          <button type="button" onClick={() => update.mutate(!schedule.paused)} disabled={update.isPending}>
            {schedule.paused ? 'Resume' : 'Pause'} <span className="visually-hidden">{sync.name}</span>
          </button>
        ) : null}
        <button type="button" onClick={() => trigger.mutate()} disabled={trigger.isPending}>
          Run now <span className="visually-hidden">{sync.name}</span>
        </button>
        {update.isError ? <ErrorState error={update.error} /> : null}
        {trigger.isError ? <ErrorState error={trigger.error} /> : null}
        {trigger.data ? <span role="status">Queued run {trigger.data.runId}</span> : null}
      </td>
    </tr>
  );
}

function Syncs({ connectionId }: { connectionId: string }) {
  const syncs = useQuery({
    queryKey: ['connection-syncs', connectionId],
    queryFn: () => call(() => api.v1.listConnectionSyncs({ id: connectionId })),
  });
  return (
    <section aria-labelledby="syncs-title" className="card wide">
      <h2 id="syncs-title">Syncs</h2>
      {syncs.isPending ? (
        <Loading what="syncs" />
      ) : syncs.isError ? (
        <ErrorState error={syncs.error} retry={() => void syncs.refetch()} />
      ) : syncs.data.data.length === 0 ? (
        <Empty>This integration defines no sync.</Empty>
      ) : (
        <table>
          <caption className="visually-hidden">Syncs of this connection</caption>
          <thead>
            <tr>
              <th scope="col">Sync</th>
              <th scope="col">Schedule</th>
              <th scope="col">Frequency</th>
              <th scope="col">Next run</th>
              <th scope="col">Last success</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {syncs.data.data.map((sync) => (
              <SyncRow key={sync.name} connectionId={connectionId} sync={sync} />
            ))}
          </tbody>
        </table>
      )}
      <p>
        <Link to={`/sync-runs?connectionId=${encodeURIComponent(connectionId)}`}>
          Sync runs of this connection
        </Link>
      </p>
    </section>
  );
}

function Records({ connectionId, models }: { connectionId: string; models: string[] }) {
  const [params, setParams] = useSearchParams();
  const modelId = useId();
  const deletedId = useId();
  const model = params.get('model') ?? models[0] ?? '';
  const includeDeleted = params.get('includeDeleted') === 'true';
  const after = params.get('after');
  const records = useQuery({
    queryKey: ['records', connectionId, model, includeDeleted, after],
    enabled: model !== '',
    queryFn: () =>
      call(() =>
        api.v1.listRecords({
          connectionId,
          model,
          limit: 25,
          includeDeleted: includeDeleted ? 'true' : 'false',
          ...(after ? { after } : {}),
        }),
      ),
  });
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete('after');
    setParams(next);
  };
  return (
    <section aria-labelledby="records-title" className="card wide">
      <h2 id="records-title">Records</h2>
      {models.length === 0 ? (
        <Empty>This connection's syncs keep no records.</Empty>
      ) : (
        <>
          <div className="filters">
            <label htmlFor={modelId}>Model</label>
            <select id={modelId} value={model} onChange={(event) => set('model', event.target.value)}>
              {models.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <input
              id={deletedId}
              type="checkbox"
              checked={includeDeleted}
              onChange={(event) => set('includeDeleted', event.target.checked ? 'true' : '')}
            />
            <label htmlFor={deletedId}>Include deleted</label>
          </div>
          {records.isPending ? (
            <Loading what="records" />
          ) : records.isError ? (
            <ErrorState error={records.error} retry={() => void records.refetch()} />
          ) : records.data.data.length === 0 ? (
            <Empty>No {model} record yet.</Empty>
          ) : (
            <>
              <ul className="records">
                {records.data.data.map((record) => (
                  <li key={record.id}>
                    <details>
                      <summary>
                        <code>{record.id}</code> {record.deleted ? <Status value="deleted" /> : null}{' '}
                        <span className="muted">
                          modified <Time value={record.modifiedAt} />
                        </span>
                      </summary>
                      <JsonView value={record.data} label={`Record ${record.id}`} />
                    </details>
                  </li>
                ))}
              </ul>
              <Pager nextAfter={records.data.nextAfter} />
            </>
          )}
        </>
      )}
    </section>
  );
}

export default function Connection() {
  const { id = '' } = useParams();
  const connection = useQuery({
    queryKey: ['connection', id],
    queryFn: () => call(() => api.v1.getConnection({ id })),
    retry: false,
  });
  const syncs = useQuery({
    queryKey: ['connection-syncs', id],
    queryFn: () => call(() => api.v1.listConnectionSyncs({ id })),
    enabled: connection.isSuccess,
  });
  if (connection.isPending) return <Loading what="the connection" />;
  if (connection.isError) {
    return (
      <>
        <h1>Connection</h1>
        <ErrorState error={connection.error} />
        <p>
          <Link to="/connections">All connections</Link>
        </p>
      </>
    );
  }
  const models = [...new Set((syncs.data?.data ?? []).flatMap((sync) => sync.models))];
  return (
    <>
      <p className="crumbs">
        <Link to="/connections">Connections</Link> / {connection.data.endUser.id}
      </p>
      <h1>
        {connection.data.integrationKey} for {connection.data.endUser.id}
      </h1>
      <div className="grid">
        <section aria-labelledby="facts-title" className="card">
          <h2 id="facts-title">Connection</h2>
          <Facts connection={connection.data} />
        </section>
        <Repairs connection={connection.data} />
        <Syncs connectionId={id} />
        <Records connectionId={id} models={models} />
      </div>
    </>
  );
}
