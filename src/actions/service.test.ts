import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type TestDatabase, testDatabases } from '../../test/support/databases.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import type { JobContext } from '../queue/index.ts';
import type { ActionContext } from '../scripting/types.ts';
import { type ActionsFixture, openActionsFixture } from './fixtures/actions-fixture.ts';
import { actionHandlers, actionRunJob } from './jobs.ts';
import { ABANDONED_GRACE_MS, MAX_ACTION_ATTEMPTS } from './service.ts';

const input = { customer: 'cus_1', lines: [{ description: 'Plan', amount: 4200 }] };

function rejectsWith(code: string, check?: (error: PatchbayError) => void) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error), String(error));
    assert.equal(error.code, code, error.message);
    check?.(error);
    return true;
  };
}

for (const target of await testDatabases()) {
  describe(`actions service on ${target.name}`, { skip: target.skip }, () => {
    if (target.skip) console.log(`# ${target.skip}`);
    let database: TestDatabase;
    let f: ActionsFixture;
    let conn: string;
    before(async () => {
      database = await target.create!();
      f = await openActionsFixture(database);
      conn = await f.connection(f.dev.id);
    });
    after(async () => {
      await f?.close();
      await database?.destroy();
    });
    beforeEach(async () => {
      f.reset();
      await f.store.db.deleteFrom('action_runs').execute();
      await f.store.db.deleteFrom('events').execute();
      await f.store.db.deleteFrom('jobs').execute();
    });

    /** Claims the queued `action.run` jobs and runs each through the handler, as a worker would. */
    async function runJobs(): Promise<number> {
      const handler = actionHandlers(f.service)['action.run']!;
      const jobs = await f.queue.claim({ names: ['action.run'], owner: 'test', leaseMs: 60_000, limit: 10 });
      for (const job of jobs) {
        const payload = actionRunJob.payload.parse(job.payload);
        const context: JobContext = {
          job: { ...job, environmentId: job.environmentId },
          signal: new AbortController().signal,
        };
        await handler(payload, context);
        await f.queue.complete(job);
      }
      return jobs.length;
    }

    it('runs a sync action: validated input and output stored, succeeded event written with it', async () => {
      const run = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      assert.equal(run.status, 'succeeded');
      assert.equal(run.mode, 'sync');
      assert.deepEqual(run.input, { ...input, currency: 'usd' });
      assert.deepEqual(run.output, { invoiceId: `in_${run.id.slice(-6)}`, total: 4200 });
      assert.equal(run.error, null);
      assert.equal(run.attempt, 1);
      assert.equal(run.durationMs, 0);
      assert.equal(run.startedAt, f.clock.now());
      assert.deepEqual(await f.service.get(f.dev.id, run.id), run);
      assert.equal(f.calls.length, 1);
      assert.deepEqual(f.calls[0], {
        runId: run.id,
        idempotencyKey: null,
        input: { ...input, currency: 'usd' },
      });
      const events = await f.actionEvents(f.dev.id);
      assert.equal(events.length, 1);
      assert.equal(events[0]!.type, 'action.succeeded');
      assert.deepEqual(events[0]!.data, {
        connectionId: conn,
        integrationId: await f.integration(f.dev.id),
        integrationKey: 'gumroad',
        provider: 'gumroad',
        endUserId: 'user_1',
        action: 'create-invoice',
        actionRunId: run.id,
        mode: 'sync',
        durationMs: 0,
        output: run.output,
      });
    });

    it('records an output that does not match the schema as action_output_invalid', async () => {
      f.behaviour = async () => ({ invoiceId: 42 });
      const run = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      assert.equal(run.status, 'failed');
      assert.equal(run.output, null);
      assert.equal(run.error?.code, 'action_output_invalid');
      const issues = (run.error!.details as { issues: Array<{ path: string }> }).issues.map((i) => i.path);
      assert.deepEqual(issues.sort(), ['invoiceId', 'total']);
      const events = await f.actionEvents(f.dev.id);
      assert.deepEqual(
        events.map((e) => [e.type, (e.data.error as { code: string }).code]),
        [['action.failed', 'action_output_invalid']],
      );
    });

    it('writes the events a script emits with the run, with the connection added, even when it then fails', async () => {
      const eventsOf = async () =>
        (
          await f.store.db
            .selectFrom('events')
            .select(['type', 'data'])
            .where('environment_id', '=', f.dev.id)
            .orderBy('id')
            .execute()
        ).filter((row) => !row.type.startsWith('connection.'));
      f.behaviour = async (context) => {
        context.events.emit('invoice.created', {
          invoiceId: 'in_1',
          number: 'INV-1',
          amount: 4200,
          currency: 'usd',
          url: null,
          status: 'open',
        });
        throw new PatchbayError('provider_error', 'the second call failed');
      };
      const run = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      assert.equal(run.error?.code, 'provider_error');
      const written = await eventsOf();
      assert.deepEqual(
        written.map((row) => row.type),
        ['invoice.created', 'action.failed'],
      );
      const data = JSON.parse(written[0]!.data) as Record<string, unknown>;
      assert.equal(data.invoiceId, 'in_1');
      assert.equal(data.connectionId, conn);
      assert.equal(data.endUserId, 'user_1');

      // A type scripts may not emit, or data that does not match, fails the run and writes nothing of it.
      for (const emit of [
        (context: ActionContext) =>
          context.events.emit('connection.deleted' as 'invoice.created', {} as never),
        (context: ActionContext) =>
          context.events.emit('invoice.created', { invoiceId: 'in_2', amount: 'many' } as never),
      ]) {
        f.behaviour = async (context) => {
          emit(context);
          return { invoiceId: 'in_2', total: 1 };
        };
        const refused = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
        assert.equal(refused.error?.code, 'script_event_invalid');
      }
      assert.deepEqual(
        (await eventsOf()).map((row) => row.type),
        ['invoice.created', 'action.failed', 'action.failed', 'action.failed'],
      );
    });

    it('keeps a PatchbayError thrown by exec and turns anything else into a redacted action_failed', async () => {
      f.behaviour = async () => {
        throw new PatchbayError('provider_error', 'gumroad answered 422', { details: { status: 422 } });
      };
      const provider = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      assert.deepEqual(provider.error, {
        code: 'provider_error',
        message: 'gumroad answered 422',
        details: { status: 422 },
      });

      const secret = 'sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUvWx';
      f.behaviour = async () => {
        throw new Error(`request failed with Authorization: Bearer ${secret} ${'x'.repeat(5000)}`);
      };
      const other = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      assert.equal(other.status, 'failed');
      assert.equal(other.error?.code, 'action_failed');
      assert.match(other.error!.message, /^The action "create-invoice" failed: request failed/);
      assert.ok(!other.error!.message.includes(secret), other.error!.message);
      assert.ok(other.error!.message.length < 1100, `${other.error!.message.length}`);
      const stored = await f.store.db
        .selectFrom('action_runs')
        .select('error_message')
        .where('id', '=', other.id)
        .executeTakeFirstOrThrow();
      assert.ok(!stored.error_message!.includes(secret));
    });

    it('gives up on a call past its time limit with action_timeout and aborts its signal', async () => {
      f.timeoutMs = 20;
      let aborted: unknown;
      f.behaviour = (context) =>
        new Promise((_, reject) => {
          context.signal.addEventListener('abort', () => {
            aborted = context.signal.reason;
            reject(new Error('aborted by signal'));
          });
        });
      const run = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      assert.equal(run.status, 'failed');
      assert.equal(run.error?.code, 'action_timeout');
      assert.deepEqual(run.error?.details, { timeoutMs: 20 });
      assert.ok(isPatchbayError(aborted, 'action_timeout'));
    });

    it('refuses invalid input with 400 action_input_invalid and field paths, storing nothing', async () => {
      const bad = { customer: '', lines: [{ description: 'Plan', amount: -5 }] };
      await assert.rejects(
        f.service.run(f.dev.id, conn, 'create-invoice', bad, { mode: 'sync', idempotencyKey: 'k-bad' }),
        rejectsWith('action_input_invalid', (error) => {
          assert.equal(error.status, 400);
          const issues = (error.details as { issues: Array<{ path: string; message: string }> }).issues;
          assert.deepEqual(issues.map((i) => i.path).sort(), ['customer', 'lines.0.amount']);
          assert.match(error.message, /lines\.0\.amount/);
        }),
      );
      await assert.rejects(
        f.service.run(f.dev.id, conn, 'create-invoice', { customer: 'c', lines: [] }, { mode: 'async' }),
        rejectsWith('action_input_invalid'),
      );
      assert.equal(await f.countRuns(), 0);
      assert.equal(f.calls.length, 0);
      assert.equal((await f.queue.stats()).byName['action.run'], undefined);
      // The key of a refused request is not spent.
      const run = await f.service.run(f.dev.id, conn, 'create-invoice', input, {
        mode: 'sync',
        idempotencyKey: 'k-bad',
      });
      assert.equal(run.status, 'succeeded');
    });

    it('refuses input a host passes nested deeper than 64 levels with json_too_deep, storing nothing', async () => {
      const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`) as unknown;
      await assert.rejects(
        f.service.run(f.dev.id, conn, 'create-invoice', { ...input, note: deep }, { mode: 'sync' }),
        rejectsWith('json_too_deep', (error) => assert.equal(error.status, 400)),
      );
      assert.equal(await f.countRuns(), 0);
      assert.equal(f.calls.length, 0);
    });

    it('applies the connection field mapping before validation', async () => {
      f.mapper = (raw) => {
        const host = raw as { client: string; items: Array<{ label: string; cents: number }> };
        return {
          customer: host.client,
          lines: host.items.map((item) => ({ description: item.label, amount: item.cents })),
        };
      };
      const run = await f.service.run(
        f.dev.id,
        conn,
        'create-invoice',
        { client: 'cus_9', items: [{ label: 'Seat', cents: 900 }] },
        { mode: 'sync' },
      );
      assert.equal(run.status, 'succeeded');
      assert.deepEqual(run.input, {
        customer: 'cus_9',
        lines: [{ description: 'Seat', amount: 900 }],
        currency: 'usd',
      });
      await assert.rejects(
        f.service.run(
          f.dev.id,
          conn,
          'create-invoice',
          { client: 'c', items: [{ label: 'x', cents: 0 }] },
          {
            mode: 'sync',
          },
        ),
        rejectsWith('action_input_invalid', (error) => {
          const issues = (error.details as { issues: Array<{ path: string }> }).issues;
          assert.deepEqual(
            issues.map((i) => i.path),
            ['lines.0.amount'],
          );
        }),
      );
    });

    it('replays an idempotency key: the same run, exec called once, even for two concurrent calls', async () => {
      const first = await f.service.run(f.dev.id, conn, 'create-invoice', input, {
        mode: 'sync',
        idempotencyKey: 'order-1',
      });
      const reordered = { lines: [{ amount: 4200, description: 'Plan' }], customer: 'cus_1' };
      const again = await f.service.run(f.dev.id, conn, 'create-invoice', reordered, {
        mode: 'sync',
        idempotencyKey: 'order-1',
      });
      assert.deepEqual(again, first);
      assert.equal(f.calls.length, 1);
      assert.equal(f.calls[0]!.idempotencyKey, 'order-1');

      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      f.behaviour = async (context, body) => {
        await gate;
        return { invoiceId: context.runId, total: body.lines[0]!.amount };
      };
      const a = f.service.run(f.dev.id, conn, 'create-invoice', input, {
        mode: 'sync',
        idempotencyKey: 'order-2',
      });
      const b = f.service.run(f.dev.id, conn, 'create-invoice', input, {
        mode: 'sync',
        idempotencyKey: 'order-2',
      });
      // The loser answers at once with the winner's run (still running); the winner waits on the gate.
      const loser = await Promise.race([a, b]);
      assert.equal(loser.status, 'running');
      release();
      const [settledA, settledB] = await Promise.all([a, b]);
      assert.equal(settledA.id, settledB.id);
      assert.equal(loser.id, settledA.id);
      assert.equal(settledA.status, 'succeeded');
      assert.equal(f.calls.length, 2);
      assert.equal(await f.countRuns(), 2);
    });

    it('refuses a reused key with another request: 409 idempotency_key_reused', async () => {
      await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync', idempotencyKey: 'k1' });
      const other = { ...input, lines: [{ description: 'Plan', amount: 1 }] };
      await assert.rejects(
        f.service.run(f.dev.id, conn, 'create-invoice', other, { mode: 'async', idempotencyKey: 'k1' }),
        rejectsWith('idempotency_key_reused', (error) => assert.equal(error.status, 409)),
      );
      // Keys are per connection: another connection may use the same one.
      const second = await f.connection(f.dev.id, { endUserId: 'user_2' });
      const run = await f.service.run(f.dev.id, second, 'create-invoice', other, {
        mode: 'sync',
        idempotencyKey: 'k1',
      });
      assert.equal(run.status, 'succeeded');
      assert.equal(f.calls.length, 2);
    });

    it('runs an async action through its job and emits the event with the result', async () => {
      const queued = await f.service.run(f.dev.id, conn, 'create-invoice', input, {
        mode: 'async',
        idempotencyKey: 'async-1',
      });
      assert.equal(queued.status, 'queued');
      assert.equal(queued.attempt, 0);
      assert.equal(queued.startedAt, null);
      assert.equal(f.calls.length, 0);
      const replay = await f.service.run(f.dev.id, conn, 'create-invoice', input, {
        mode: 'async',
        idempotencyKey: 'async-1',
      });
      assert.equal(replay.id, queued.id);

      f.clock.advance(250);
      assert.equal(await runJobs(), 1);
      const done = await f.service.get(f.dev.id, queued.id);
      assert.equal(done.status, 'succeeded');
      assert.equal(done.attempt, 1);
      assert.deepEqual(done.output, { invoiceId: `in_${queued.id.slice(-6)}`, total: 4200 });
      assert.deepEqual(
        f.calls.map((c) => [c.runId, c.idempotencyKey]),
        [[queued.id, 'async-1']],
      );
      const [event] = await f.actionEvents(f.dev.id);
      assert.equal(event?.type, 'action.succeeded');
      assert.equal(event?.data.mode, 'async');
      assert.equal(event?.data.actionRunId, queued.id);
      assert.deepEqual(event?.data.output, done.output);

      // The job delivered again (its completion lost) finds the run finished and calls nothing.
      await f.service.execute(f.dev.id, queued.id);
      assert.equal(f.calls.length, 1);
      assert.equal((await f.actionEvents(f.dev.id)).length, 1);
    });

    it('marks a run found running as action_interrupted instead of calling the provider twice', async () => {
      const queued = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'async' });
      // The first worker set the run running, then died mid-call; its job is claimed again.
      await f.store.db
        .updateTable('action_runs')
        .set({ status: 'running', attempt: 1, started_at: f.clock.now() })
        .where('id', '=', queued.id)
        .execute();
      f.clock.advance(1000);
      assert.equal(await runJobs(), 1);
      const run = await f.service.get(f.dev.id, queued.id);
      assert.equal(run.status, 'failed');
      assert.equal(run.error?.code, 'action_interrupted');
      assert.equal(run.durationMs, 1000);
      assert.equal(f.calls.length, 0);
      const events = await f.actionEvents(f.dev.id);
      assert.deepEqual(
        events.map((e) => [e.type, (e.data.error as { code: string }).code]),
        [['action.failed', 'action_interrupted']],
      );
    });

    it('executes a resumable run found running again, as its next attempt, up to the job attempts', async () => {
      f.resumable = true;
      const queued = await f.service.run(f.dev.id, conn, 'create-invoice', input, {
        mode: 'async',
        idempotencyKey: 'rollup-1',
      });
      const started = f.clock.now();
      // The first worker set the run running and reported progress, then died mid-call.
      await f.store.db
        .updateTable('action_runs')
        .set({ status: 'running', attempt: 1, started_at: started, progress_done: 3, progress_total: 9 })
        .where('id', '=', queued.id)
        .execute();
      f.clock.advance(1000);
      assert.equal(await runJobs(), 1);
      const run = await f.service.get(f.dev.id, queued.id);
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.equal(run.attempt, 2);
      assert.equal(run.startedAt, started, 'the run keeps its first start');
      assert.equal(run.durationMs, 1000);
      assert.deepEqual(
        f.calls.map((c) => [c.runId, c.idempotencyKey]),
        [[queued.id, 'rollup-1']],
        'the same run, with the same key for the script to derive its provider keys from',
      );
      assert.deepEqual(
        (await f.actionEvents(f.dev.id)).map((e) => e.type),
        ['action.succeeded'],
      );

      // A run whose worker died on its last allowed attempt is not executed again.
      const last = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'async' });
      await f.store.db
        .updateTable('action_runs')
        .set({ status: 'running', attempt: MAX_ACTION_ATTEMPTS, started_at: f.clock.now() })
        .where('id', '=', last.id)
        .execute();
      assert.equal(await runJobs(), 1);
      const ended = await f.service.get(f.dev.id, last.id);
      assert.equal(ended.error?.code, 'action_interrupted');
      assert.equal(f.calls.length, 1);

      // A run whose action is not resumable keeps the at-most-once rule (see the test above).
    });

    it('stores progress at most once per interval while the run goes, and the last report with its outcome', async () => {
      const seen: Array<unknown> = [];
      const progressOf = async (id: string) => (await f.service.get(f.dev.id, id)).progress;
      f.behaviour = async (context, body) => {
        context.progress({ done: 0, total: 5 });
        await waitForProgress(context.runId, 0);
        seen.push((await progressOf(context.runId))?.done);
        for (let done = 1; done <= 4; done++) context.progress({ done, total: 5 });
        // Within the interval (the clock has not moved): nothing more is written yet.
        seen.push((await progressOf(context.runId))?.done);
        assert.throws(() => context.progress({ done: 6, total: 5 }), /done at most total/);
        return { invoiceId: 'in_1', total: body.lines[0]!.amount };
      };
      const run = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      assert.equal(run.status, 'succeeded');
      assert.deepEqual(seen, [0, 0]);
      assert.deepEqual(run.progress, { done: 4, total: 5, updatedAt: f.clock.now() });
      f.reset();
      const plain = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      assert.equal(plain.progress, null, 'an action that reports nothing shows no progress');
    });

    async function waitForProgress(id: string, done: number): Promise<void> {
      for (let i = 0; i < 500; i++) {
        if ((await f.service.get(f.dev.id, id)).progress?.done === done) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
      throw new Error(`progress ${done} of run ${id} was never stored`);
    }

    it('sweeps synchronous runs left running by a stopped process once past their limit and grace', async () => {
      f.timeoutMs = 120_000;
      const stuck = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'async' });
      const queuedAsync = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'async' });
      // A synchronous call whose process was killed mid-call, and an async run whose job owns it.
      await f.store.db
        .updateTable('action_runs')
        .set({ mode: 'sync', status: 'running', attempt: 1, started_at: f.clock.now() })
        .where('id', '=', stuck.id)
        .execute();
      await f.store.db
        .updateTable('action_runs')
        .set({ status: 'running', attempt: 1, started_at: f.clock.now() })
        .where('id', '=', queuedAsync.id)
        .execute();
      f.clock.advance(150_000);
      assert.equal(await f.service.sweepAbandoned(), 0, 'within its 120 s limit plus the grace');
      assert.equal((await f.service.get(f.dev.id, stuck.id)).status, 'running');
      f.clock.advance(120_000 + ABANDONED_GRACE_MS - 150_000 + 1);
      assert.equal(await f.service.sweepAbandoned(), 1);
      const run = await f.service.get(f.dev.id, stuck.id);
      assert.equal(run.status, 'failed');
      assert.equal(run.error?.code, 'action_interrupted');
      assert.equal((await f.service.get(f.dev.id, queuedAsync.id)).status, 'running', 'its job decides');
      assert.equal(f.calls.length, 0, 'never called again');
      assert.deepEqual(
        (await f.actionEvents(f.dev.id)).map((e) => [e.type, e.data.actionRunId]),
        [['action.failed', stuck.id]],
      );
      assert.equal(await f.service.sweepAbandoned(), 0, 'once');
    });

    it('records action_interrupted when the job is stopped mid-call, and aborts the script', async () => {
      const queued = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'async' });
      let called!: () => void;
      const inCall = new Promise<void>((resolve) => {
        called = resolve;
      });
      let scriptSignal: AbortSignal | undefined;
      f.behaviour = (context) => {
        scriptSignal = context.signal;
        called();
        return new Promise(() => {});
      };
      const worker = new AbortController();
      const execution = f.service.execute(f.dev.id, queued.id, worker.signal);
      await inCall;
      worker.abort();
      const run = await execution;
      assert.equal(run?.status, 'failed');
      assert.equal(run?.error?.code, 'action_interrupted');
      assert.equal(scriptSignal?.aborted, true);
      assert.equal(f.calls.length, 1);

      // A job stopped before its run started leaves the run queued for the next attempt.
      const next = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'async' });
      assert.equal((await f.service.execute(f.dev.id, next.id, AbortSignal.abort()))?.status, 'queued');
      assert.equal(f.calls.length, 1);
    });

    it('fails a queued run whose connection needs reauthorization by the time its job runs', async () => {
      const queued = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'async' });
      await f.store.db
        .updateTable('connections')
        .set({ status: 'reauth_required' })
        .where('id', '=', conn)
        .execute();
      try {
        await runJobs();
        const run = await f.service.get(f.dev.id, queued.id);
        assert.equal(run.error?.code, 'connection_reauth_required');
        assert.equal(f.calls.length, 0);
        await assert.rejects(
          f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' }),
          rejectsWith('connection_reauth_required', (error) => assert.equal(error.status, 409)),
        );
        await f.store.db
          .updateTable('connections')
          .set({ status: 'disconnected' })
          .where('id', '=', conn)
          .execute();
        await assert.rejects(
          f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' }),
          rejectsWith('sync_unavailable'),
        );
      } finally {
        await f.store.db
          .updateTable('connections')
          .set({ status: 'active' })
          .where('id', '=', conn)
          .execute();
      }
    });

    it('keeps every run in its environment: another environment gets not_found', async () => {
      await assert.rejects(
        f.service.run(f.prod.id, conn, 'create-invoice', input, { mode: 'sync' }),
        rejectsWith('not_found'),
      );
      await assert.rejects(
        f.service.run(f.dev.id, conn, 'delete-everything', input, { mode: 'sync' }),
        rejectsWith('action_not_found'),
      );
      const run = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      await assert.rejects(f.service.get(f.prod.id, run.id), rejectsWith('not_found'));
      await assert.rejects(f.service.get(f.dev.id, 'act_nope'), rejectsWith('invalid_id'));
      assert.deepEqual((await f.service.list(f.prod.id)).data, []);
      assert.equal(await f.service.execute(f.prod.id, run.id), null);
      assert.equal(f.calls.length, 1);
    });

    it('lists runs with filters and cursor paging', async () => {
      const other = await f.connection(f.dev.id, { endUserId: 'user_3' });
      const a = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      const b = await f.service.run(f.dev.id, other, 'create-invoice', input, { mode: 'async' });
      f.behaviour = async () => ({});
      const c = await f.service.run(f.dev.id, conn, 'create-invoice', input, { mode: 'sync' });
      const ids = (runs: { data: Array<{ id: string }> }) => runs.data.map((r) => r.id);
      assert.deepEqual(ids(await f.service.list(f.dev.id)), [a.id, b.id, c.id]);
      assert.deepEqual(ids(await f.service.list(f.dev.id, { connectionId: other })), [b.id]);
      assert.deepEqual(ids(await f.service.list(f.dev.id, { status: 'failed' })), [c.id]);
      assert.deepEqual(ids(await f.service.list(f.dev.id, { action: 'other' })), []);
      const page1 = await f.service.list(f.dev.id, { limit: 2 });
      assert.deepEqual(ids(page1), [a.id, b.id]);
      assert.equal(page1.nextAfter, b.id);
      const page2 = await f.service.list(f.dev.id, { limit: 2, after: page1.nextAfter! });
      assert.deepEqual(ids(page2), [c.id]);
      assert.equal(page2.nextAfter, null);
    });
  });
}
