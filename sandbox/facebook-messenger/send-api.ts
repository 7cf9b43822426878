/**
 * The Send API: `POST /{page-id}/messages` and `POST /me/messages` with a Page access token.
 * In order: the token (190; a User token is 210), the parameters (100), the `pages_messaging`
 * permission (230), the Page's rate limit (613), the recipient (100/2018001 unknown PSID,
 * 551/1545041 blocked), the messaging window (10/2018278) or the private-reply rules (10900
 * already replied, 10903 too old). Success answers `{ recipient_id, message_id }`.
 */
import type { ServerResponse } from 'node:http';
import { authenticate, fail, type GraphHandler, ok } from './answer.ts';
import { effectiveScopes, type MessengerContext } from './context.ts';
import { type GraphError, GraphErrors } from './graph-errors.ts';
import { checkMessagingWindow, checkPrivateReply } from './policy.ts';
import { parseSendRequest, type SendRequest } from './send-request.ts';
import type { MessengerUser, Replyable } from './store.ts';

export const handleSend: GraphHandler = (ctx, request, res) => {
  const record = authenticate(ctx, request, res);
  if (!record) return;
  if (record.kind !== 'page' || record.pageId === undefined)
    return fail(ctx, res, GraphErrors.pageTokenRequired());
  const node = request.segments[0] as string;
  if (node !== 'me' && node !== record.pageId)
    return fail(ctx, res, GraphErrors.unsupportedRequest('POST', node));
  const parsed = parseSendRequest(request.params);
  if (!parsed.ok) return fail(ctx, res, parsed.error);
  if (!effectiveScopes(ctx, record.scopes).includes('pages_messaging')) {
    return fail(ctx, res, GraphErrors.missingPermission('pages_messaging'));
  }
  const decision = ctx.limiter?.take(record.pageId);
  if (decision && !decision.ok) return fail(ctx, res, GraphErrors.rateLimited(613));
  deliver(ctx, res, parsed.send);
};

function deliver(ctx: MessengerContext, res: ServerResponse, send: SendRequest): void {
  const now = ctx.clock.now();
  const resolved = resolveRecipient(ctx, send, now);
  if ('error' in resolved) {
    fail(ctx, res, resolved.error);
    return;
  }
  const messageId = ctx.ids.messageId();
  if (resolved.replyTo) resolved.replyTo.replyMessageId = messageId;
  ctx.store.sent.push({
    messageId,
    recipientId: resolved.user.psid,
    recipient: send.recipient,
    messagingType: send.messagingType,
    tag: send.tag,
    message: send.message,
    at: now,
    delivered: false,
  });
  ctx.stats.messagesSent++;
  ok(res, { recipient_id: resolved.user.psid, message_id: messageId });
}

function resolveRecipient(
  ctx: MessengerContext,
  send: SendRequest,
  now: number,
): { user: MessengerUser; replyTo?: Replyable } | { error: GraphError } {
  const { recipient } = send;
  if ('id' in recipient) {
    const user = ctx.store.users.get(recipient.id);
    if (!user) return { error: GraphErrors.noMatchingUser() };
    const error = checkMessagingWindow(user, send.messagingType ?? 'RESPONSE', send.tag, now);
    return error ? { error } : { user };
  }
  const [id, kind] =
    'comment_id' in recipient ? [recipient.comment_id, 'comment'] : [recipient.post_id, 'post'];
  const target = ctx.store.replyables.get(id);
  if (!target || target.kind !== kind) return { error: GraphErrors.unsupportedRequest('POST', id) };
  const user = ctx.store.user(target.psid);
  const error = checkPrivateReply(target, user, now);
  return error ? { error } : { user, replyTo: target };
}
