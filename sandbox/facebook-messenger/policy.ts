/**
 * Messenger's sending policy: standard messaging (RESPONSE, UPDATE) within 24 hours of the
 * person's last message, message tags outside it (HUMAN_AGENT within 7 days), and private
 * replies — one per comment or visitor post, within 7 days of it. A comment does not open the
 * standard window; only the person's own message does.
 */
import { type GraphError, GraphErrors } from './graph-errors.ts';
import type { MessengerUser, Replyable } from './store.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const STANDARD_WINDOW_MS = 24 * HOUR;
export const HUMAN_AGENT_WINDOW_MS = 7 * DAY;
export const PRIVATE_REPLY_WINDOW_MS = 7 * DAY;

export const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'] as const;
export type MessagingType = (typeof MESSAGING_TYPES)[number];

/** The message tags of the current Messenger Platform (the 2020 set). */
export const MESSAGE_TAGS = [
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'ACCOUNT_UPDATE',
  'HUMAN_AGENT',
] as const;
export type MessageTag = (typeof MESSAGE_TAGS)[number];

/** Whether a message of this type and tag may go to `user` now. */
export function checkMessagingWindow(
  user: MessengerUser,
  type: MessagingType,
  tag: MessageTag | undefined,
  now: number,
): GraphError | undefined {
  if (user.blocked) return GraphErrors.userUnavailable();
  // The conversation must have been started by the person; tags only extend it.
  if (user.lastInboundAt === null) return GraphErrors.outsideWindow();
  const since = now - user.lastInboundAt;
  if (type !== 'MESSAGE_TAG') return since < STANDARD_WINDOW_MS ? undefined : GraphErrors.outsideWindow();
  if (tag === 'HUMAN_AGENT') return since < HUMAN_AGENT_WINDOW_MS ? undefined : GraphErrors.outsideWindow();
  return undefined;
}

/** Whether a private reply to this comment or visitor post may be sent now. */
export function checkPrivateReply(
  target: Replyable,
  user: MessengerUser,
  now: number,
): GraphError | undefined {
  if (target.replyMessageId !== undefined) return GraphErrors.alreadyReplied();
  if (now - target.createdAt >= PRIVATE_REPLY_WINDOW_MS) return GraphErrors.cannotReply();
  if (user.blocked) return GraphErrors.userUnavailable();
  return undefined;
}
