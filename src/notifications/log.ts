/**
 * The notification log: one row per email queued, sent or failed, and per suppression
 * (`throttled`, `unsubscribed`, `no_address`), listed newest last with cursor paging.
 */
import type { Kysely, Selectable } from 'kysely';
import { notFound } from '../errors/index.ts';
import type { Database, NotificationsTable } from '../store/index.ts';
import type { NotificationKind } from './kinds.ts';

export const NOTIFICATION_STATUSES = [
  'queued',
  'sent',
  'failed',
  'throttled',
  'unsubscribed',
  'no_address',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** One notification as the service returns it. */
export interface NotificationRecord {
  id: string;
  environmentId: string;
  kind: NotificationKind;
  status: NotificationStatus;
  audience: 'end_user' | 'operators';
  recipient: string | null;
  endUserId: string | null;
  connectionId: string | null;
  /** `smtp` or `connection:<id>`; null for a suppression. */
  channel: string | null;
  eventId: string | null;
  subject: string | null;
  providerMessageId: string | null;
  smtpResponse: string | null;
  error: { code: string; message: string } | null;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
}

export interface ListNotificationsFilter {
  kind?: string;
  status?: string;
  endUserId?: string;
  connectionId?: string;
  /** A notification id: results after it, oldest first. */
  after?: string;
  /** Default 50, at most 200. */
  limit?: number;
}

export async function listNotifications(
  db: Kysely<Database>,
  environmentId: string,
  filter: ListNotificationsFilter = {},
): Promise<{ data: NotificationRecord[]; nextAfter: string | null }> {
  const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 50), 1), 200);
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('environment_id', '=', environmentId)
    .$if(filter.kind !== undefined, (q) => q.where('kind', '=', filter.kind!))
    .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
    .$if(filter.endUserId !== undefined, (q) => q.where('end_user_id', '=', filter.endUserId!))
    .$if(filter.connectionId !== undefined, (q) => q.where('connection_id', '=', filter.connectionId!))
    .$if(filter.after !== undefined, (q) => q.where('id', '>', filter.after!))
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const data = rows.slice(0, limit).map(toRecord);
  return { data, nextAfter: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
}

export async function getNotification(
  db: Kysely<Database>,
  environmentId: string,
  id: string,
): Promise<NotificationRecord> {
  const row = await db
    .selectFrom('notifications')
    .selectAll()
    .where('environment_id', '=', environmentId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('Notification', id.slice(0, 100));
  return toRecord(row);
}

export function toRecord(row: Selectable<NotificationsTable>): NotificationRecord {
  return {
    id: row.id,
    environmentId: row.environment_id,
    kind: row.kind as NotificationKind,
    status: row.status as NotificationStatus,
    audience: row.audience as NotificationRecord['audience'],
    recipient: row.recipient,
    endUserId: row.end_user_id,
    connectionId: row.connection_id,
    channel: row.channel,
    eventId: row.event_id,
    subject: row.subject,
    providerMessageId: row.provider_message_id,
    smtpResponse: row.smtp_response,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
  };
}
