/**
 * The notifications service: turns events into emails and sends them.
 *
 * 1. The outbox dispatcher hands every event it dispatches to `queueEventsIn`, inside its own
 *    transaction: an event that may notify gets a `notifications.event` job, exactly once.
 * 2. That job (`handleEvent`) decides the kind (./planner.ts); ./deliver.ts decides the
 *    recipients (the end user, the operators or both) and for each one whether it is suppressed
 *    — no address, unsubscribed, throttled (./throttle.ts) — and writes one log row per
 *    recipient; a row to send commits with its `notifications.send` job.
 * 3. The send job renders nothing new: the message was rendered when it was queued. It sends
 *    through the environment's channel (./channels.ts) and records the outcome; failures retry
 *    with backoff, the last one is `failed` with a `notification.failed` event.
 */
import type { Kysely } from 'kysely';
import type { ActionsService } from '../actions/types.ts';
import type { Clock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import { appendEvent } from '../events/index.ts';
import { type IdFactory, newId } from '../ids/index.ts';
import type { Logger } from '../logger/index.ts';
import type { JobQueue, NewJob, TransactionalQueue } from '../queue/index.ts';
import type { Database, Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import {
  connectionChannel,
  type MailChannel,
  type OutgoingEmail,
  SendFailure,
  smtpChannel,
  unavailableChannel,
} from './channels.ts';
import { createDeliverer } from './deliver.ts';
import { digestIntents, weekOf } from './digest.ts';
import { NOTIFYING_EVENT_TYPES, notificationEventJob } from './jobs.ts';
import { isNotificationKind, type NotificationKind } from './kinds.ts';
import { createLinkSigner, type LinkSigner } from './links.ts';
import {
  getNotification,
  type ListNotificationsFilter,
  listNotifications,
  type NotificationRecord,
} from './log.ts';
import { intentOf, type PlannerDeps } from './planner.ts';
import { createSettingsStore, type NotificationSettings, type SettingsStore } from './settings.ts';
import { createTemplatesStore, type TemplatesStore } from './templates.ts';
import { unsubscribe } from './throttle.ts';

export interface NotificationsServiceDeps {
  store: Pick<Store, 'db'>;
  queue: JobQueue & TransactionalQueue;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  /** The engine's public base URL: links in emails are absolute. */
  publicUrl: string;
  smtpUrl?: string | undefined;
  mailFrom?: string | undefined;
  connection: PlannerDeps['connection'];
  planName: PlannerDeps['planName'];
  endUser(environmentId: string, id: string): Promise<{ name: string | null; email: string | null } | null>;
  /** The plan-checked actions service: the connection channel runs `send-email` through it. */
  actions: Pick<ActionsService, 'run'>;
  /** Refuses (validation_failed) a channel connection that is unknown or has no `send-email` action. */
  checkConnection(environmentId: string, connectionId: string): Promise<void>;
  /** A connect page URL that reconnects the end user's connection (a fresh connect session). */
  reconnectUrl(environmentId: string, endUserId: string, connectionId: string): Promise<string>;
  ids?: IdFactory;
}

export interface NotificationsService {
  readonly settings: SettingsStore;
  readonly templates: TemplatesStore;
  list(
    environmentId: string,
    filter?: ListNotificationsFilter,
  ): Promise<{ data: NotificationRecord[]; nextAfter: string | null }>;
  get(environmentId: string, id: string): Promise<NotificationRecord>;
  /** The dispatcher's hook: queues a `notifications.event` job for each event that may notify. */
  queueEventsIn(
    trx: Kysely<Database>,
    events: ReadonlyArray<{ id: string; environment_id: string; type: string; data: string }>,
  ): Promise<void>;
  /** The `notifications.event` job. */
  handleEvent(eventId: string): Promise<void>;
  /** A connection's deletion (in its transaction): its throttle rows go; the log keeps its history. */
  forgetConnectionIn(trx: Kysely<Database>, environmentId: string, connectionId: string): Promise<void>;
  /** The `notifications.send` job; throws to retry. */
  send(
    notificationId: string,
    attempt: { attempt: number; maxAttempts: number; signal?: AbortSignal },
  ): Promise<void>;
  /** The `notifications.digest` job: queues the digest of the week before `now`; answers how many. */
  digest(now?: number): Promise<number>;
  /** What an unsubscribe token stands for, or null when it is not valid. */
  readUnsubscribe(
    token: string,
  ): Promise<{ environmentId: string; endUserId: string; kind: NotificationKind } | null>;
  /** Records the unsubscription a token stands for; null when the token is not valid. */
  unsubscribe(token: string): Promise<{ endUserId: string; kind: NotificationKind } | null>;
  /** The connect page URL a reconnect token leads to; `not_found` when the token is not valid. */
  reconnect(token: string): Promise<string>;
  close(): void;
}

export function createNotificationsService(deps: NotificationsServiceDeps): NotificationsService {
  const { clock, queue, logger } = deps;
  const db = deps.store.db;
  const ids = deps.ids ?? newId;
  const outbox = { clock, newId: ids };
  const base = deps.publicUrl.replace(/\/+$/, '');
  const messageIdHost = new URL(base).hostname || 'patchbay.invalid';
  const settings = createSettingsStore({ db, clock, checkConnection: deps.checkConnection });
  const templates = createTemplatesStore({ db, clock });
  const links: LinkSigner = createLinkSigner({ db, vault: deps.vault, clock });
  const smtp = deps.smtpUrl ? smtpChannel(deps.smtpUrl) : null;
  const planner = { db, connection: deps.connection, planName: deps.planName };
  const deliver = createDeliverer({
    db,
    queue,
    clock,
    ids,
    links,
    templates,
    base,
    mailFrom: deps.mailFrom ?? null,
    endUser: deps.endUser,
  });

  function channelFor(environmentId: string, current: NotificationSettings): MailChannel {
    if (current.channel.type === 'connection') {
      return connectionChannel(deps.actions, environmentId, current.channel.connectionId);
    }
    return (
      smtp ??
      unavailableChannel(
        'No SMTP server is configured: set PATCHBAY_SMTP_URL, or send through a connection (PUT /v1/notifications/settings)',
      )
    );
  }

  /** A deleted end user's data here: their log (it holds their address), unsubscriptions, throttle. */
  async function forgetEndUser(environmentId: string, endUserId: string): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('notifications')
        .where('environment_id', '=', environmentId)
        .where('end_user_id', '=', endUserId)
        .execute();
      await trx
        .deleteFrom('notification_unsubscribes')
        .where('environment_id', '=', environmentId)
        .where('end_user_id', '=', endUserId)
        .execute();
      await trx
        .deleteFrom('notification_throttle')
        .where('environment_id', '=', environmentId)
        .where('subject', '=', `user:${endUserId}`)
        .execute();
    });
  }

  const service: NotificationsService = {
    settings,
    templates,
    list: (environmentId, filter) => listNotifications(db, environmentId, filter),
    get: (environmentId, id) => getNotification(db, environmentId, id),

    async queueEventsIn(trx, events) {
      const jobs: NewJob[] = [];
      for (const event of events) {
        if (!NOTIFYING_EVENT_TYPES.has(event.type)) continue;
        // Successful runs are most runs: only an import with refused rows is worth a job.
        if (event.type === 'sync.succeeded' && !(rejectedRows(event.data) > 0)) continue;
        jobs.push({
          name: notificationEventJob.name,
          payload: { eventId: event.id },
          environmentId: event.environment_id,
          dedupeKey: `notification-event:${event.id}`,
          maxAttempts: notificationEventJob.retry.attempts,
          backoff: notificationEventJob.retry.backoff,
        });
      }
      await queue.enqueueManyIn(trx, jobs);
    },

    async handleEvent(eventId) {
      const row = await db.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirst();
      if (!row) return;
      if (row.type === 'end_user.deleted') {
        await forgetEndUser(
          row.environment_id,
          String((JSON.parse(row.data) as { endUserId: unknown }).endUserId),
        );
        return;
      }
      const current = await settings.get(row.environment_id);
      const intent = await intentOf(
        planner,
        {
          environmentId: row.environment_id,
          type: row.type,
          data: JSON.parse(row.data) as Record<string, unknown>,
        },
        current.syncFailureThreshold,
      );
      if (!intent) return;
      await deliver(row.environment_id, intent, current, `event:${eventId}`, eventId);
    },

    async forgetConnectionIn(trx, environmentId, connectionId) {
      await trx
        .deleteFrom('notification_throttle')
        .where('environment_id', '=', environmentId)
        .where('subject', '=', `conn:${connectionId}`)
        .execute();
    },

    async send(notificationId, attempt) {
      const row = await db
        .selectFrom('notifications')
        .selectAll()
        .where('id', '=', notificationId)
        .executeTakeFirst();
      if (row?.status !== 'queued' || row.message === null) return;
      const environmentId = row.environment_id;
      const message = JSON.parse(row.message) as Omit<OutgoingEmail, 'from'> & { from: string | null };
      const current = await settings.get(environmentId);
      const channel = channelFor(environmentId, current);
      const from = message.from ?? current.from ?? deps.mailFrom ?? null;
      try {
        if (!from) {
          throw new SendFailure(
            'mail_from_missing',
            'No sender address: set PATCHBAY_MAIL_FROM or `from` in the notification settings',
            true,
          );
        }
        const receipt = await channel.send(
          { ...message, from, messageId: `<${row.id}@${messageIdHost}>` },
          `notification:${row.id}:${row.attempts}`,
          attempt.signal,
        );
        const now = clock.now();
        await db
          .updateTable('notifications')
          .set({
            status: 'sent',
            channel: channel.name,
            provider_message_id: receipt.providerMessageId,
            smtp_response: receipt.smtpResponse,
            error_code: null,
            error_message: null,
            attempts: Number(row.attempts) + 1,
            updated_at: now,
            sent_at: now,
          })
          .where('id', '=', row.id)
          .where('status', '=', 'queued')
          .execute();
      } catch (error) {
        const failure =
          error instanceof SendFailure
            ? error
            : new SendFailure('send_failed', (error as Error).message, false, error);
        const last = failure.permanent || attempt.attempt >= attempt.maxAttempts;
        const now = clock.now();
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('notifications')
            .set({
              status: last ? 'failed' : 'queued',
              channel: channel.name,
              error_code: failure.code.slice(0, 100),
              error_message: failure.message.slice(0, 1000),
              attempts: Number(row.attempts) + 1,
              updated_at: now,
            })
            .where('id', '=', row.id)
            .execute();
          if (last) {
            await appendEvent(
              trx,
              {
                environmentId,
                type: 'notification.failed',
                data: {
                  notificationId: row.id,
                  kind: row.kind,
                  endUserId: row.end_user_id,
                  connectionId: row.connection_id,
                  channel: channel.name,
                  error: { code: failure.code, message: failure.message.slice(0, 1000) },
                },
              },
              outbox,
            );
          }
        });
        logger.warn(
          { notificationId: row.id, code: failure.code, attempt: attempt.attempt, final: last },
          'notification email not sent',
        );
        if (!last) throw failure;
      }
    },

    async digest(now = clock.now()) {
      const week = weekOf(now);
      const environments = await db.selectFrom('environments').select('id').orderBy('id').execute();
      let queued = 0;
      for (const { id: environmentId } of environments) {
        const current = await settings.get(environmentId);
        if (!current.kinds.weekly_digest.enabled) continue;
        for await (const intent of digestIntents(planner, environmentId, week)) {
          queued += await deliver(
            environmentId,
            intent,
            current,
            `digest:${week.start}:${intent.endUserId}`,
            null,
          );
        }
      }
      return queued;
    },

    async readUnsubscribe(token) {
      const payload = await links.verify(token, 'unsubscribe');
      if (!payload || !isNotificationKind(payload.k)) return null;
      return { environmentId: payload.e, endUserId: payload.u, kind: payload.k };
    },

    async unsubscribe(token) {
      const target = await service.readUnsubscribe(token);
      if (!target) return null;
      await unsubscribe(db, { ...target, now: clock.now() });
      return { endUserId: target.endUserId, kind: target.kind };
    },

    async reconnect(token) {
      const payload = await links.verify(token, 'reconnect');
      if (!payload) {
        throw new PatchbayError(
          'not_found',
          'This reconnect link is not valid or has expired; open the integrations page of the app to reconnect',
        );
      }
      return deps.reconnectUrl(payload.e, payload.u, payload.c);
    },

    close() {
      smtp?.close();
    },
  };
  return service;
}

/** `rejected` of a `sync.succeeded` event's data; 0 when unreadable (this runs in the dispatcher's transaction: it must not throw). */
function rejectedRows(data: string): number {
  try {
    const rejected = (JSON.parse(data) as { rejected?: unknown }).rejected;
    return typeof rejected === 'number' ? rejected : 0;
  } catch {
    return 0;
  }
}
