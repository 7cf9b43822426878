import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTestApi, type TestApi } from '../../../test/support/api.ts';
import { type TestDatabase, testDatabases } from '../../../test/support/databases.ts';
import { type ActionsFixture, openActionsFixture } from '../../actions/fixtures/actions-fixture.ts';
import { actionHandlers, actionRunJob } from '../../actions/jobs.ts';
import { actionRoutes } from './actions.ts';

const input = { customer: 'cus_1', lines: [{ description: 'Plan', amount: 4200 }] };

for (const target of await testDatabases()) {
  describe(`actions API on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let api: TestApi;
    let f: ActionsFixture;
    let conn: string;
    before(async () => {
      database = await target.create!();
      f = await openActionsFixture(database);
      api = await createTestApi(database, { routes: [actionRoutes(f.service)] });
      conn = await f.connection(f.dev.id);
    });
    after(async () => {
      await api?.close();
      await f?.close();
      await database?.destroy();
    });
    beforeEach(async () => {
      f.reset();
      await f.store.db.deleteFrom('action_runs').execute();
      await f.store.db.deleteFrom('jobs').execute();
    });

    const request = (
      method: 'GET' | 'POST',
      url: string,
      options: { body?: unknown; headers?: Record<string, string>; auth?: { authorization: string } } = {},
    ) =>
      api.app.inject({
        method,
        url,
        headers: { ...(options.auth ?? api.devAuth), ...options.headers },
        ...(options.body === undefined ? {} : { payload: options.body as object }),
      });

    it('POST runs an action now (200) and returns the finished run', async () => {
      const response = await request('POST', `/v1/connections/${conn}/actions/create-invoice`, {
        body: { input },
        headers: { 'idempotency-key': 'order-1' },
      });
      assert.equal(response.statusCode, 200, response.body);
      const run = response.json();
      assert.match(run.id, /^act_/);
      assert.deepEqual(
        { ...run, id: undefined },
        {
          id: undefined,
          connectionId: conn,
          action: 'create-invoice',
          mode: 'sync',
          status: 'succeeded',
          input: { ...input, currency: 'usd' },
          output: { invoiceId: `in_${run.id.slice(-6)}`, total: 4200 },
          error: null,
          idempotencyKey: 'order-1',
          attempt: 1,
          progress: null,
          createdAt: new Date(f.clock.now()).toISOString(),
          startedAt: new Date(f.clock.now()).toISOString(),
          finishedAt: new Date(f.clock.now()).toISOString(),
          durationMs: 0,
        },
      );
      const replay = await request('POST', `/v1/connections/${conn}/actions/create-invoice`, {
        body: { input, idempotencyKey: 'order-1' },
      });
      assert.deepEqual(replay.json(), run);
      assert.equal(f.calls.length, 1);

      const reused = await request('POST', `/v1/connections/${conn}/actions/create-invoice`, {
        body: { input: { ...input, customer: 'cus_2' } },
        headers: { 'idempotency-key': 'order-1' },
      });
      assert.equal(reused.statusCode, 409);
      assert.equal(reused.json().error.code, 'idempotency_key_reused');

      const mismatch = await request('POST', `/v1/connections/${conn}/actions/create-invoice`, {
        body: { input, idempotencyKey: 'a' },
        headers: { 'idempotency-key': 'b' },
      });
      assert.equal(mismatch.statusCode, 400);
      assert.equal(mismatch.json().error.code, 'validation_failed');
    });

    it('POST answers a failed call as a run, and bad input as 400 with field paths', async () => {
      f.behaviour = async () => ({ invoiceId: 'in_1' });
      const failed = await request('POST', `/v1/connections/${conn}/actions/create-invoice`, {
        body: { input },
      });
      assert.equal(failed.statusCode, 200);
      assert.equal(failed.json().status, 'failed');
      assert.equal(failed.json().error.code, 'action_output_invalid');
      assert.deepEqual(
        failed.json().error.details.issues.map((i: { path: string }) => i.path),
        ['total'],
      );

      const bad = await request('POST', `/v1/connections/${conn}/actions/create-invoice`, {
        body: { input: { customer: 'c', lines: [{ description: 'x', amount: 'ten' }] } },
      });
      assert.equal(bad.statusCode, 400);
      const error = bad.json().error;
      assert.equal(error.code, 'action_input_invalid');
      assert.deepEqual(
        error.details.issues.map((i: { path: string }) => i.path),
        ['lines.0.amount'],
      );
      const runs = await request('GET', '/v1/action-runs');
      assert.equal(runs.json().data.length, 1);

      const noInput = await request('POST', `/v1/connections/${conn}/actions/create-invoice`, { body: {} });
      assert.equal(noInput.statusCode, 400);
      assert.equal(noInput.json().error.code, 'validation_failed');
      const unknown = await request('POST', `/v1/connections/${conn}/actions/nope`, { body: { input } });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'action_not_found');
      const badId = await request('POST', '/v1/connections/conn_x/actions/create-invoice', {
        body: { input },
      });
      assert.equal(badId.json().error.code, 'invalid_id');
    });

    it('POST with async: true answers 202 with the queued run; the job finishes it', async () => {
      const response = await request('POST', `/v1/connections/${conn}/actions/create-invoice`, {
        body: { input, async: true },
      });
      assert.equal(response.statusCode, 202, response.body);
      const queued = response.json();
      assert.equal(queued.status, 'queued');
      assert.equal(queued.mode, 'async');
      assert.equal(queued.startedAt, null);
      assert.equal(queued.output, null);

      const handler = actionHandlers(f.service)['action.run']!;
      const [job] = await f.queue.claim({ names: ['action.run'], owner: 't', leaseMs: 60_000, limit: 1 });
      assert.ok(job);
      await handler(actionRunJob.payload.parse(job.payload), {
        job: { ...job },
        signal: new AbortController().signal,
      });
      const done = await request('GET', `/v1/action-runs/${queued.id}`);
      assert.equal(done.statusCode, 200);
      assert.equal(done.json().status, 'succeeded');
      assert.deepEqual(done.json().output, { invoiceId: `in_${queued.id.slice(-6)}`, total: 4200 });
    });

    it('documents both success statuses of POST in the OpenAPI document', async () => {
      const doc = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const post = doc.paths['/v1/connections/{id}/actions/{action}'].post;
      assert.equal(post.operationId, 'runAction');
      assert.deepEqual(
        Object.keys(post.responses).filter((status) => status.startsWith('2')),
        ['200', '202'],
      );
      assert.ok(doc.paths['/v1/action-runs/{id}'].get);
    });

    it('GET /v1/action-runs filters and pages, and stays in the environment', async () => {
      const other = await f.connection(f.dev.id, { endUserId: 'user_2' });
      const prodConn = await f.connection(f.prod.id);
      const post = (connection: string, body: object, auth?: { authorization: string }) =>
        request('POST', `/v1/connections/${connection}/actions/create-invoice`, {
          body,
          ...(auth ? { auth } : {}),
        });
      const a = (await post(conn, { input })).json();
      const b = (await post(other, { input, async: true })).json();
      const p = (await post(prodConn, { input }, api.prodAuth)).json();
      assert.equal(p.status, 'succeeded');

      const all = (await request('GET', '/v1/action-runs')).json();
      assert.deepEqual(
        all.data.map((r: { id: string }) => r.id),
        [a.id, b.id],
      );
      const ids = async (query: string) =>
        (await request('GET', `/v1/action-runs?${query}`)).json().data.map((r: { id: string }) => r.id);
      assert.deepEqual(await ids(`connectionId=${other}`), [b.id]);
      assert.deepEqual(await ids('status=queued'), [b.id]);
      assert.deepEqual(await ids('action=create-invoice&status=succeeded'), [a.id]);
      const page = (await request('GET', '/v1/action-runs?limit=1')).json();
      assert.equal(page.nextAfter, a.id);
      assert.deepEqual(await ids(`after=${page.nextAfter}`), [b.id]);
      assert.equal((await request('GET', '/v1/action-runs?status=done')).statusCode, 400);

      const foreign = await request('GET', `/v1/action-runs/${p.id}`);
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.json().error.code, 'not_found');
      const foreignConn = await post(prodConn, { input });
      assert.equal(foreignConn.statusCode, 404);
      assert.equal(foreignConn.json().error.code, 'not_found');
      assert.equal((await request('GET', '/v1/action-runs/act_x')).json().error.code, 'invalid_id');
    });
  });
}
