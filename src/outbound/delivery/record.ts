/**
 * Records an attempt's outcome in a transaction: the attempt row, the message's new state and
 * the endpoint's health (the failing clock, auto-disable and their events). Nothing of an attempt
 * is ever half-written, and the job that made it completes only after this commits. Concurrent
 * attempts share one transaction (group commit, see recordAttempts): one fsync for many.
 */
import type { CompiledQuery, Kysely } from 'kysely';
import type { Clock } from '../../clock/index.ts';
import { appendEvent } from '../../events/index.ts';
import type { IdFactory } from '../../ids/index.ts';
import type { AttemptTrigger, Database, DialectName, MessageStatus } from '../../store/index.ts';
import { marker, prepare, valueMarker } from '../../store/prepared.ts';
import { nextAttemptAt, type RetryTiming } from './retry-schedule.ts';
import type { SendResult } from './send.ts';

export interface HealthPolicy {
  /** Failing this long without a success emits `endpoint.failing` (once per streak). */
  failingWarnAfterMs: number;
  /** Failing this long without a success disables the endpoint (reason `failing`). */
  disableAfterMs: number;
}

export interface RecordDeps {
  dialect: DialectName;
  clock: Clock;
  ids: IdFactory;
  timing: RetryTiming;
  health: HealthPolicy;
}

export interface AttemptFacts {
  environmentId: string;
  messageId: string;
  endpointId: string;
  trigger: AttemptTrigger;
  /** The message's `next_attempt_at` when the attempt was decided: the slot this attempt takes. */
  slot: number | null;
  startedAt: number;
  result: SendResult;
}

export type RecordOutcome =
  | { recorded: false }
  | {
      recorded: true;
      attempt: number;
      status: MessageStatus;
      /** Set when this attempt scheduled the next one. */
      scheduledNext: number | null;
      /** Null on success; else `redirect`, `http_error`, `timeout`, `network_error` or `ssrf_blocked`. */
      errorCode: string | null;
      disabled: 'gone' | 'failing' | null;
    };

/**
 * Records a batch in the caller's transaction. Results are in input order.
 *
 * PostgreSQL: concurrent batches touch the same endpoint rows, so each batch first locks its
 * endpoints, in id order, then handles attempts in endpoint then message order: every transaction
 * takes its locks in one global order and none waits on another in a cycle. (Locking late is not
 * enough: the attempt insert's foreign-key check takes a share lock on the endpoint first, and two
 * transactions upgrading their share locks deadlock.) `FOR NO KEY UPDATE` leaves foreign-key
 * checks of other writers (new messages of the endpoint) unblocked.
 */
export async function recordAttempts(
  trx: Kysely<Database>,
  deps: RecordDeps,
  batch: readonly AttemptFacts[],
): Promise<RecordOutcome[]> {
  const order = batch
    .map((facts, index) => ({ facts, index }))
    .sort(
      (a, b) =>
        compare(a.facts.endpointId, b.facts.endpointId) ||
        compare(a.facts.messageId, b.facts.messageId) ||
        a.index - b.index,
    );
  if (deps.dialect === 'postgres') {
    const endpointIds = [...new Set(order.map(({ facts }) => facts.endpointId))];
    await trx
      .selectFrom('endpoints')
      .select('id')
      .where('id', 'in', endpointIds)
      .orderBy('id')
      .forNoKeyUpdate()
      .execute();
  }
  const results = new Array<RecordOutcome>(batch.length);
  // Endpoints whose latest attempt in this batch succeeded: a further success of theirs would only
  // write the same health again (its failing clock is already stopped), so it is skipped.
  const healthy = new Set<string>();
  for (const { facts, index } of order) {
    results[index] = await recordAttempt(trx, deps, facts, healthy);
  }
  return results;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The statements every attempt runs. Their SQL never changes, and building and compiling them
 * with Kysely costs more than running them on SQLite, so they are compiled once per dialect
 * (see store/prepared.ts) and each attempt binds its values.
 */
interface RecordQueries {
  message: (values: { environment: string; message: string }) => CompiledQuery<MessageState>;
  updateMessage: (values: Record<string, unknown>) => CompiledQuery<unknown>;
  succeed: (values: Record<string, unknown>) => CompiledQuery<{ attempts: number }>;
  insertAttempt: (values: Record<string, unknown>) => CompiledQuery<unknown>;
  healthy: (values: { environment: string; endpoint: string; now: number }) => CompiledQuery<unknown>;
}

interface MessageState {
  status: MessageStatus;
  attempts: number;
  next_attempt_at: number | null;
}

const recordQueries = new Map<DialectName, RecordQueries>();

function queriesFor(trx: Kysely<Database>, dialect: DialectName): RecordQueries {
  let queries = recordQueries.get(dialect);
  if (queries) return queries;
  queries = {
    message: prepare(
      trx
        .selectFrom('messages')
        .select(['status', 'attempts', 'next_attempt_at'])
        .where('environment_id', '=', marker('environment'))
        .where('id', '=', marker('message'))
        .$if(dialect === 'postgres', (query) => query.forNoKeyUpdate())
        .compile(),
    ),
    updateMessage: prepare(
      trx
        .updateTable('messages')
        .set({
          status: valueMarker('status'),
          attempts: valueMarker('attempts'),
          next_attempt_at: valueMarker('next'),
          last_attempt_at: valueMarker('last'),
          updated_at: valueMarker('now'),
        })
        .where('environment_id', '=', marker('environment'))
        .where('id', '=', marker('message'))
        .compile(),
    ),
    succeed: prepare(
      trx
        .updateTable('messages')
        .set((eb) => ({
          status: 'succeeded',
          attempts: eb('attempts', '+', 1),
          next_attempt_at: null,
          last_attempt_at: valueMarker('last'),
          updated_at: valueMarker('now'),
        }))
        .where('environment_id', '=', marker('environment'))
        .where('id', '=', marker('message'))
        .returning('attempts')
        .compile(),
    ),
    insertAttempt: prepare(
      trx
        .insertInto('attempts')
        .values({
          id: marker('id'),
          environment_id: marker('environment'),
          message_id: marker('message'),
          endpoint_id: marker('endpoint'),
          attempt: valueMarker('attempt'),
          trigger: valueMarker('trigger'),
          status: valueMarker('status'),
          response_status: valueMarker('response_status'),
          response_body: valueMarker('response_body'),
          duration_ms: valueMarker('duration_ms'),
          error_code: valueMarker('error_code'),
          error_message: valueMarker('error_message'),
          created_at: valueMarker('created_at'),
        })
        .compile(),
    ),
    healthy: prepare(
      trx
        .updateTable('endpoints')
        .set({ failing_since: null, failing_warned_at: null, last_success_at: valueMarker('now') })
        .where('environment_id', '=', marker('environment'))
        .where('id', '=', marker('endpoint'))
        .compile(),
    ),
  };
  recordQueries.set(dialect, queries);
  return queries;
}

export async function recordAttempt(
  trx: Kysely<Database>,
  deps: RecordDeps,
  facts: AttemptFacts,
  healthy: Set<string> = new Set(),
): Promise<RecordOutcome> {
  const now = deps.clock.now();
  const { result } = facts;
  const queries = queriesFor(trx, deps.dialect);
  const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
  const gone = result.status === 410;
  if (succeeded) {
    // A success ends the message whatever its state: one UPDATE … RETURNING reads and writes it.
    const [row] = (
      await trx.executeQuery(
        queries.succeed({
          last: facts.startedAt,
          now,
          environment: facts.environmentId,
          message: facts.messageId,
        }),
      )
    ).rows;
    // Deleted with its endpoint while the request was in flight: there is nothing to record on.
    if (!row) return { recorded: false };
    return finishAttempt(trx, deps, facts, healthy, now, Number(row.attempts), 'succeeded', null);
  }
  const [message] = (
    await trx.executeQuery(queries.message({ environment: facts.environmentId, message: facts.messageId }))
  ).rows;
  // Deleted with its endpoint while the request was in flight: there is nothing to record on.
  if (!message) return { recorded: false };

  const attempt = Number(message.attempts) + 1;
  let status = message.status;
  let next = message.next_attempt_at === null ? null : Number(message.next_attempt_at);
  let scheduledNext: number | null = null;
  if (gone) {
    status = 'failed';
    next = null;
  } else if (facts.trigger === 'scheduled' && status === 'pending' && next === facts.slot) {
    // This attempt took the scheduled slot: it decides the next one. A manual attempt, or a
    // scheduled one whose slot another run took meanwhile, leaves the schedule as it is.
    const earlier = await trx
      .selectFrom('attempts')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('message_id', '=', facts.messageId)
      .where('trigger', '=', 'scheduled')
      .executeTakeFirstOrThrow();
    next = nextAttemptAt(deps.timing, {
      scheduledAttempts: Number(earlier.count) + 1,
      responseStatus: result.status,
      retryAfter: result.retryAfter,
      now,
    });
    status = next === null ? 'failed' : 'pending';
    scheduledNext = next;
  }

  await trx.executeQuery(
    queries.updateMessage({
      status,
      attempts: attempt,
      next,
      last: facts.startedAt,
      now,
      environment: facts.environmentId,
      message: facts.messageId,
    }),
  );
  return finishAttempt(trx, deps, facts, healthy, now, attempt, status, scheduledNext);
}

/** The attempt row and the endpoint's health, once the message's new state is written. */
async function finishAttempt(
  trx: Kysely<Database>,
  deps: RecordDeps,
  facts: AttemptFacts,
  healthy: Set<string>,
  now: number,
  attempt: number,
  status: MessageStatus,
  scheduledNext: number | null,
): Promise<RecordOutcome> {
  const { result } = facts;
  const queries = queriesFor(trx, deps.dialect);
  const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
  const gone = result.status === 410;
  const error = attemptError(result, succeeded);
  await trx.executeQuery(
    queries.insertAttempt({
      id: deps.ids('attempt', facts.startedAt),
      environment: facts.environmentId,
      message: facts.messageId,
      endpoint: facts.endpointId,
      attempt,
      trigger: facts.trigger,
      status: succeeded ? 'succeeded' : 'failed',
      response_status: result.status,
      response_body: result.body,
      duration_ms: result.durationMs,
      error_code: error.error_code,
      error_message: error.error_message,
      created_at: facts.startedAt,
    }),
  );
  const kind = succeeded ? 'success' : gone ? 'gone' : 'failure';
  const disabled =
    kind === 'success' && healthy.has(facts.endpointId)
      ? null
      : await updateHealth(trx, deps, facts, kind, now);
  if (kind === 'success') healthy.add(facts.endpointId);
  else healthy.delete(facts.endpointId);
  return { recorded: true, attempt, status, scheduledNext, errorCode: error.error_code, disabled };
}

function attemptError(
  result: SendResult,
  succeeded: boolean,
): { error_code: string | null; error_message: string | null } {
  if (succeeded) return { error_code: null, error_message: null };
  if (result.status === null) return { error_code: result.errorCode, error_message: result.errorMessage };
  if (result.status >= 300 && result.status < 400) {
    const where = result.location ? ` (Location: ${result.location.slice(0, 300)})` : '';
    return {
      error_code: 'redirect',
      error_message: `The endpoint answered ${result.status}${where}; redirects are not followed, configure the final URL`,
    };
  }
  return {
    error_code: 'http_error',
    error_message: `The endpoint answered ${result.status}; only 2xx counts as delivered`,
  };
}

/**
 * The failing clock: the first failure after a success starts it; past the warning window one
 * `endpoint.failing` is emitted; past the disable window the endpoint is disabled (the warning is
 * emitted first if no attempt fell inside the warning window). A 410 disables at once. Any
 * success stops the clock. Returns the reason when this attempt disabled the endpoint.
 */
async function updateHealth(
  trx: Kysely<Database>,
  deps: RecordDeps,
  facts: AttemptFacts,
  kind: 'success' | 'failure' | 'gone',
  now: number,
): Promise<'gone' | 'failing' | null> {
  const where = { environmentId: facts.environmentId, id: facts.endpointId };
  if (kind === 'success') {
    await trx.executeQuery(
      queriesFor(trx, deps.dialect).healthy({ environment: where.environmentId, endpoint: where.id, now }),
    );
    return null;
  }
  const endpoint = await trx
    .selectFrom('endpoints')
    .select(['url', 'enabled', 'failing_since', 'failing_warned_at'])
    .where('environment_id', '=', where.environmentId)
    .where('id', '=', where.id)
    .$if(deps.dialect === 'postgres', (query) => query.forNoKeyUpdate())
    .executeTakeFirst();
  if (!endpoint) return null;
  const since = endpoint.failing_since === null ? now : Number(endpoint.failing_since);
  const patch: {
    failing_since?: number;
    failing_warned_at?: number;
    enabled?: number;
    disabled_reason?: string;
    updated_at?: number;
  } = {};
  if (endpoint.failing_since === null) patch.failing_since = since;
  let disabled: 'gone' | 'failing' | null = null;
  if (Number(endpoint.enabled) === 1) {
    const failingFor = now - since;
    const eventDeps = { clock: deps.clock, newId: deps.ids };
    const data = { endpointId: where.id, url: endpoint.url };
    if (kind === 'gone') {
      disabled = 'gone';
    } else if (failingFor >= deps.health.disableAfterMs || failingFor >= deps.health.failingWarnAfterMs) {
      if (endpoint.failing_warned_at === null) {
        await appendEvent(
          trx,
          {
            environmentId: where.environmentId,
            type: 'endpoint.failing',
            data: {
              ...data,
              failingSince: new Date(since).toISOString(),
              disableAt: new Date(since + deps.health.disableAfterMs).toISOString(),
            },
          },
          eventDeps,
        );
        patch.failing_warned_at = now;
      }
      if (failingFor >= deps.health.disableAfterMs) disabled = 'failing';
    }
    if (disabled) {
      Object.assign(patch, { enabled: 0, disabled_reason: disabled, updated_at: now });
      await appendEvent(
        trx,
        {
          environmentId: where.environmentId,
          type: 'endpoint.disabled',
          data: { ...data, reason: disabled },
        },
        eventDeps,
      );
    }
  }
  if (Object.keys(patch).length > 0) {
    await trx
      .updateTable('endpoints')
      .set(patch)
      .where('environment_id', '=', where.environmentId)
      .where('id', '=', where.id)
      .execute();
  }
  return disabled;
}
