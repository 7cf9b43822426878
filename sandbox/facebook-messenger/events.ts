/**
 * Webhook payloads of a Page subscription, shaped as the Messenger Platform and Page webhook
 * references show them: `{ object: 'page', entry: [{ id, time, messaging: [...] }] }` for
 * messaging events (times in ms), `{ …, changes: [{ field: 'feed', value }] }` for feed changes
 * (times in seconds).
 */
import type { MessengerUser, PageInfo, Replyable } from './store.ts';

export type WebhookField =
  | 'messages'
  | 'message_deliveries'
  | 'message_reads'
  | 'messaging_postbacks'
  | 'feed';

export const WEBHOOK_FIELDS: readonly WebhookField[] = [
  'messages',
  'message_deliveries',
  'message_reads',
  'messaging_postbacks',
  'feed',
];

export interface PageEvent {
  readonly field: WebhookField;
  readonly body: Record<string, unknown>;
}

function messaging(
  page: PageInfo,
  at: number,
  field: WebhookField,
  event: Record<string, unknown>,
): PageEvent {
  return { field, body: { object: 'page', entry: [{ id: page.id, time: at, messaging: [event] }] } };
}

const parties = (user: MessengerUser, page: PageInfo) => ({
  sender: { id: user.psid },
  recipient: { id: page.id },
});

export function messageEvent(
  page: PageInfo,
  user: MessengerUser,
  at: number,
  mid: string,
  text: string,
): PageEvent {
  return messaging(page, at, 'messages', { ...parties(user, page), timestamp: at, message: { mid, text } });
}

export function postbackEvent(
  page: PageInfo,
  user: MessengerUser,
  at: number,
  postback: { mid: string; title: string; payload: string },
): PageEvent {
  return messaging(page, at, 'messaging_postbacks', { ...parties(user, page), timestamp: at, postback });
}

/** Sent messages reached the person: `watermark` covers every message sent up to it. */
export function deliveryEvent(
  page: PageInfo,
  user: MessengerUser,
  at: number,
  mids: readonly string[],
  watermark: number,
): PageEvent {
  return messaging(page, at, 'message_deliveries', { ...parties(user, page), delivery: { mids, watermark } });
}

export function readEvent(page: PageInfo, user: MessengerUser, at: number, watermark: number): PageEvent {
  return messaging(page, at, 'message_reads', { ...parties(user, page), timestamp: at, read: { watermark } });
}

/** A new comment (or visitor post) on the Page's feed, live videos included. */
export function feedEvent(page: PageInfo, user: MessengerUser, target: Replyable): PageEvent {
  const seconds = Math.floor(target.createdAt / 1000);
  const value: Record<string, unknown> = {
    from: { id: user.appScopedId, name: user.name },
    post_id: target.postId,
    created_time: seconds,
    item: target.kind === 'comment' ? 'comment' : 'post',
    verb: 'add',
    message: target.message,
  };
  if (target.kind === 'comment') {
    value.comment_id = target.id;
    value.parent_id = target.postId;
  }
  return {
    field: 'feed',
    body: { object: 'page', entry: [{ id: page.id, time: seconds, changes: [{ field: 'feed', value }] }] },
  };
}
