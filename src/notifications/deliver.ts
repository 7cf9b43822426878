/**
 * Turns one intent (a kind, whom it is about, its variables) into log rows, one per recipient,
 * and the send jobs of those not suppressed. For each recipient group (the end user, the
 * operators) it decides in one transaction: no address, unsubscribed, throttled (a claim in the
 * store), or queued — the row and its `notifications.send` job commit together. The message is
 * rendered here, with its signed links, so the send job only sends.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { IdFactory } from '../ids/index.ts';
import type { JobQueue, NewJob, TransactionalQueue } from '../queue/index.ts';
import type { Database } from '../store/index.ts';
import type { OutgoingEmail } from './channels.ts';
import { notificationSendJob } from './jobs.ts';
import { KINDS } from './kinds.ts';
import { type LinkSigner, RECONNECT_LINK_TTL_MS } from './links.ts';
import type { ConnectionFacts, Intent } from './planner.ts';
import type { NotificationSettings } from './settings.ts';
import { renderTemplate, type TemplatesStore } from './templates.ts';
import { claimThrottle, isUnsubscribed } from './throttle.ts';

export interface DelivererDeps {
  db: Kysely<Database>;
  queue: JobQueue & TransactionalQueue;
  clock: Clock;
  ids: IdFactory;
  links: LinkSigner;
  templates: Pick<TemplatesStore, 'effective'>;
  /** The public base URL, without a trailing slash. */
  base: string;
  mailFrom: string | null;
  endUser(environmentId: string, id: string): Promise<{ name: string | null; email: string | null } | null>;
}

/**
 * Writes the rows (and send jobs) of one intent and answers how many rows it wrote; rows already
 * written for `sourceBase` (a retried job) are kept, not written again.
 */
export type Deliver = (
  environmentId: string,
  intent: Intent,
  current: NotificationSettings,
  sourceBase: string,
  eventId: string | null,
) => Promise<number>;

/** A recipient group of one intent: the end user, or the operators. */
interface Group {
  audience: 'end_user' | 'operators';
  addresses: Array<string | null>;
}

export function createDeliverer(deps: DelivererDeps): Deliver {
  const { db, queue, clock, ids, links, templates, base } = deps;
  function groupsOf(intent: Intent, current: NotificationSettings, email: string | null): Group[] {
    const audience = current.kinds[intent.kind].audience;
    const groups: Group[] = [];
    if (audience !== 'operators') groups.push({ audience: 'end_user', addresses: [email] });
    if (audience !== 'end_user') {
      groups.push({
        audience: 'operators',
        addresses: current.operators.length > 0 ? current.operators : [null],
      });
    }
    return groups;
  }

  return async function deliver(
    environmentId: string,
    intent: Intent,
    current: NotificationSettings,
    sourceBase: string,
    eventId: string | null,
  ): Promise<number> {
    if (!current.kinds[intent.kind].enabled) return 0;
    const endUser = await deps.endUser(environmentId, intent.endUserId);
    const email = endUser?.email ?? intent.connection?.endUserEmail ?? null;
    const now = clock.now();
    const template = await templates.effective(environmentId, intent.kind);
    const variables: Record<string, unknown> = {
      endUser: { id: intent.endUserId, name: endUser?.name ?? '', email: email ?? '' },
      ...(intent.connection ? { connection: presentConnection(intent.connection) } : {}),
      ...intent.variables,
    };
    if (intent.connection && 'reconnectUrl' in KINDS[intent.kind].variables) {
      const token = await links.sign({
        p: 'reconnect',
        e: environmentId,
        u: intent.endUserId,
        c: intent.connection.id,
        x: now + RECONNECT_LINK_TTL_MS,
      });
      variables.reconnectUrl = `${base}/notifications/reconnect?token=${token}`;
    }
    const unsubscribeUrl = `${base}/notifications/unsubscribe?token=${await links.sign({
      p: 'unsubscribe',
      e: environmentId,
      u: intent.endUserId,
      k: intent.kind,
    })}`;
    const throttleSubject = intent.connection ? `conn:${intent.connection.id}` : `user:${intent.endUserId}`;
    let written = 0;

    for (const group of groupsOf(intent, current, email)) {
      const rendered = renderTemplate(intent.kind, template, {
        ...variables,
        // Operators read about an end user: the end user's unsubscribe link is not theirs.
        unsubscribeUrl: group.audience === 'end_user' ? unsubscribeUrl : '',
      });
      const headers: Record<string, string> =
        group.audience === 'end_user'
          ? {
              'List-Unsubscribe': `<${unsubscribeUrl}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            }
          : {};
      const keyed = group.addresses.map((address) => ({
        address,
        sourceKey: `${sourceBase}:${group.audience}:${address ?? '-'}`.slice(0, 1000),
      }));
      written += await db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('notifications')
          .select('source_key')
          .where('environment_id', '=', environmentId)
          .where(
            'source_key',
            'in',
            keyed.map((k) => k.sourceKey),
          )
          .execute();
        const done = new Set(existing.map((row) => row.source_key));
        const pending = keyed.filter((k) => !done.has(k.sourceKey));
        if (pending.length === 0) return 0;
        let status: 'queued' | 'no_address' | 'unsubscribed' | 'throttled' = 'queued';
        if (group.audience === 'end_user' && email === null) status = 'no_address';
        else if (group.audience === 'operators' && current.operators.length === 0) status = 'no_address';
        else if (
          group.audience === 'end_user' &&
          (await isUnsubscribed(trx, environmentId, intent.endUserId, intent.kind))
        )
          status = 'unsubscribed';
        else if (
          !(await claimThrottle(trx, {
            environmentId,
            subject: throttleSubject,
            kind: `${intent.kind}:${group.audience}`,
            now,
            windowMs: current.throttleMinutes * 60_000,
          }))
        )
          status = 'throttled';
        const jobs: NewJob[] = [];
        for (const { address, sourceKey } of pending) {
          const id = ids('notification', now);
          const message: Omit<OutgoingEmail, 'from'> & { from: string | null } = {
            from: current.from ?? deps.mailFrom,
            to: address ?? '',
            ...rendered,
            headers,
          };
          await trx
            .insertInto('notifications')
            .values({
              id,
              environment_id: environmentId,
              kind: intent.kind,
              status,
              audience: group.audience,
              recipient: address,
              end_user_id: intent.endUserId,
              connection_id: intent.connection?.id ?? null,
              channel: null,
              source_key: sourceKey,
              event_id: eventId,
              subject: rendered.subject,
              message: status === 'queued' ? JSON.stringify(message) : null,
              provider_message_id: null,
              smtp_response: null,
              error_code: null,
              error_message: null,
              attempts: 0,
              created_at: now,
              updated_at: now,
              sent_at: null,
            })
            .execute();
          if (status === 'queued') {
            jobs.push({
              name: notificationSendJob.name,
              payload: { notificationId: id },
              environmentId,
              dedupeKey: `notification:${id}`,
              maxAttempts: notificationSendJob.retry.attempts,
              backoff: notificationSendJob.retry.backoff,
            });
          }
        }
        await queue.enqueueManyIn(trx, jobs);
        return pending.length;
      });
    }
    return written;
  };
}

function presentConnection(connection: ConnectionFacts) {
  return {
    id: connection.id,
    name: connection.name,
    provider: connection.provider,
    integrationKey: connection.integrationKey,
    status: connection.status,
  };
}
