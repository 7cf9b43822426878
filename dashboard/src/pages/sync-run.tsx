/** One sync run: outcome, counts, duration, error in full, details; run the sync again. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, call } from '../api/http.ts';
import { JsonView, Status, Time } from '../components/format.tsx';
import { ErrorState, Loading } from '../components/states.tsx';

export default function SyncRun() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const run = useQuery({
    queryKey: ['sync-run', id],
    queryFn: () => call(() => api.v1.getSyncRun({ id })),
    retry: false,
  });
  const rerun = useMutation({
    mutationFn: () => {
      if (!run.data) throw new Error('The run is not loaded');
      const { connectionId, sync, mode } = run.data;
      return call(() => api.v1.triggerSync({ id: connectionId, sync }, { mode }));
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['sync-runs'] }),
  });
  if (run.isPending) return <Loading what="the sync run" />;
  if (run.isError) return <ErrorState error={run.error} />;
  const data = run.data;
  return (
    <>
      <p className="crumbs">
        <Link to="/sync-runs">Sync runs</Link> / {data.id}
      </p>
      <h1>
        Sync run of {data.sync} <Status value={data.status} />
      </h1>
      <div className="grid">
        {data.error ? (
          <section aria-labelledby="error-title" className="card wide state-error">
            <h2 id="error-title">Error</h2>
            <p>
              <code>{data.error.code}</code>
            </p>
            <p className="error-message">{data.error.message}</p>
          </section>
        ) : null}
        <section aria-labelledby="run-title" className="card">
          <h2 id="run-title">Run</h2>
          <dl className="facts">
            <dt>Connection</dt>
            <dd>
              <Link to={`/connections/${encodeURIComponent(data.connectionId)}`}>{data.connectionId}</Link>
            </dd>
            <dt>Trigger</dt>
            <dd>{data.trigger}</dd>
            <dt>Mode</dt>
            <dd>{data.mode}</dd>
            <dt>Attempt</dt>
            <dd>{data.attempt}</dd>
            <dt>Created</dt>
            <dd>
              <Time value={data.createdAt} />
            </dd>
            <dt>Started</dt>
            <dd>
              <Time value={data.startedAt} />
            </dd>
            <dt>Finished</dt>
            <dd>
              <Time value={data.finishedAt} />
            </dd>
            <dt>Duration</dt>
            <dd>{data.durationMs === null ? '—' : `${(data.durationMs / 1000).toFixed(1)} s`}</dd>
          </dl>
        </section>
        <section aria-labelledby="counts-title" className="card">
          <h2 id="counts-title">Records</h2>
          <dl className="facts">
            <dt>Added</dt>
            <dd>{data.added}</dd>
            <dt>Updated</dt>
            <dd>{data.updated}</dd>
            <dt>Deleted</dt>
            <dd>{data.deleted}</dd>
            <dt>Unchanged</dt>
            <dd>{data.unchanged}</dd>
            <dt>Rejected</dt>
            <dd>{data.rejected}</dd>
            <dt>Pages</dt>
            <dd>{data.pages}</dd>
          </dl>
        </section>
        <section aria-labelledby="rerun-title" className="card">
          <h2 id="rerun-title">Run again</h2>
          <button type="button" onClick={() => rerun.mutate()} disabled={rerun.isPending}>
            Re-run {data.sync} ({data.mode})
          </button>
          <div aria-live="polite">
            {rerun.data ? (
              <p>
                {rerun.data.created ? 'Queued' : 'Already queued'}:{' '}
                <Link to={`/sync-runs/${encodeURIComponent(rerun.data.runId)}`}>{rerun.data.runId}</Link>
              </p>
            ) : null}
          </div>
          {rerun.isError ? <ErrorState error={rerun.error} /> : null}
        </section>
        {data.details ? (
          <section aria-labelledby="details-title" className="card wide">
            <h2 id="details-title">Details</h2>
            <JsonView value={data.details} label="Run details" />
          </section>
        ) : null}
      </div>
    </>
  );
}
