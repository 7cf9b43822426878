/**
 * What a test does on Facebook's side: people messaging the Page, commenting on a live video,
 * blocking it; the app losing a permission or its tokens; the webhook being registered; messages
 * being delivered and read. Each event is delivered to the webhook at once (signed, after the
 * hub challenge); the returned promise settles when that delivery attempt has.
 */
import { type RateLimitOptions, SlidingWindowLimiter } from '../oauth/rate-limit.ts';
import type { MessengerContext } from './context.ts';
import {
  deliveryEvent,
  feedEvent,
  messageEvent,
  type PageEvent,
  postbackEvent,
  readEvent,
} from './events.ts';
import type { MessengerFaultControl } from './faults.ts';
import type { SentMessage } from './store.ts';
import type { Invalidation } from './tokens.ts';
import type { SubscribeOptions, SubscribeResult, WebhookDelivery } from './webhooks.ts';

export type When = { at?: number | Date };

export interface MessengerPerson {
  readonly psid: string;
  readonly appScopedId: string;
  readonly name: string;
}

export interface MessengerSandboxControl {
  /** A person who can message the Page (a fresh PSID unless one is given). */
  addUser(input?: string | { psid?: string; name?: string }): MessengerPerson;
  /**
   * The person (added if unknown) messages the Page: opens the 24-hour window and sends a
   * `messages` webhook.
   */
  userMessages(psid: string, text: string, when?: When): Promise<{ mid: string }>;
  /** The person taps a postback button: opens the window, sends a `messaging_postbacks` webhook. */
  postback(psid: string, payload: string, title?: string, when?: When): Promise<{ mid: string }>;
  /** A new live video on the Page; comments go on its post. */
  startLiveVideo(): { postId: string };
  /** The person comments on a post (default: the Page's live video); sends a `feed` webhook. */
  comment(
    input: { psid: string; text: string; postId?: string } & When,
  ): Promise<{ commentId: string; postId: string }>;
  /** The person writes a visitor post on the Page (answerable by `recipient.post_id`). */
  visitorPost(psid: string, text: string, when?: When): Promise<{ postId: string }>;
  block(psid: string): void;
  unblock(psid: string): void;
  /** The app loses a permission it was granted (e.g. `pages_messaging`). */
  revokePermission(permission: string): void;
  grantPermission(permission: string): void;
  /** Every token issued so far is expired (190/463), Page tokens without expiry included. */
  expireTokens(): void;
  /** Every token issued so far to the Page's admin stops working (458, 460 or 467). */
  invalidateTokens(reason: Invalidation): void;
  /** The next `count` logins are cancelled by the person. */
  denyNextLogin(count?: number): void;
  /** Messages sent to `psid` and not yet delivered reach the person (`message_deliveries`). */
  deliver(psid: string, when?: When): Promise<number>;
  /** The person reads everything sent so far (`message_reads`). */
  read(psid: string, when?: When): Promise<void>;
  /** Registers the callback URL as the App Dashboard does: the hub challenge first. */
  subscribeWebhook(options: SubscribeOptions): Promise<SubscribeResult>;
  unsubscribeWebhook(): void;
  /** Retries every delivery the callback did not answer 200. */
  deliverPending(): Promise<{ delivered: number; pending: number }>;
  /** Every webhook delivery so far (body, attempts, last status). */
  webhookDeliveries(): readonly WebhookDelivery[];
  /** The messages the Page sent, oldest first. */
  sent(): readonly SentMessage[];
  /** Replaces the Send API's per-Page rate limit (613 past it); null removes it. */
  setRateLimit(limit: RateLimitOptions | null): void;
  readonly faults: MessengerFaultControl;
}

export function createControl(ctx: MessengerContext, startLivePost: () => string): MessengerSandboxControl {
  const { store, clock, webhooks } = ctx;
  const time = (at: number | Date | undefined) =>
    at === undefined ? clock.now() : at instanceof Date ? at.getTime() : at;
  const emit = async (event: PageEvent) => {
    await webhooks.emit(event);
  };
  const person = (psid: string): MessengerPerson => {
    const { appScopedId, name } = store.user(psid);
    return { psid, appScopedId, name };
  };
  let livePostId: string | undefined;

  return {
    addUser: (input) => person(store.addUser(typeof input === 'string' ? { psid: input } : input).psid),
    async userMessages(psid, text, when) {
      const user = store.addUser({ psid });
      const at = time(when?.at);
      user.lastInboundAt = at;
      const mid = ctx.ids.messageId();
      await emit(messageEvent(store.page, user, at, mid, text));
      return { mid };
    },
    async postback(psid, payload, title = payload, when) {
      const user = store.addUser({ psid });
      const at = time(when?.at);
      user.lastInboundAt = at;
      const mid = ctx.ids.messageId();
      await emit(postbackEvent(store.page, user, at, { mid, title, payload }));
      return { mid };
    },
    startLiveVideo() {
      livePostId = startLivePost();
      return { postId: livePostId };
    },
    async comment({ psid, text, postId, at }) {
      const user = store.addUser({ psid });
      livePostId ??= startLivePost();
      const target = store.addReplyable({
        kind: 'comment',
        postId: postId ?? livePostId,
        psid: user.psid,
        message: text,
        createdAt: time(at),
      });
      await emit(feedEvent(store.page, user, target));
      return { commentId: target.id, postId: target.postId };
    },
    async visitorPost(psid, text, when) {
      const user = store.addUser({ psid });
      const target = store.addReplyable({
        kind: 'post',
        psid: user.psid,
        message: text,
        createdAt: time(when?.at),
      });
      await emit(feedEvent(store.page, user, target));
      return { postId: target.id };
    },
    block: (psid) => {
      store.user(psid).blocked = true;
    },
    unblock: (psid) => {
      store.user(psid).blocked = false;
    },
    revokePermission: (permission) => store.revoked.add(permission),
    grantPermission: (permission) => store.revoked.delete(permission),
    expireTokens: () => ctx.tokens.expireAll(),
    invalidateTokens: (reason) => ctx.tokens.invalidateUser(ctx.user.id, reason),
    denyNextLogin: (count = 1) => {
      ctx.loginDenials += count;
    },
    async deliver(psid, when) {
      const user = store.user(psid);
      const messages = store.sent.filter((message) => message.recipientId === psid && !message.delivered);
      if (messages.length === 0) return 0;
      for (const message of messages) message.delivered = true;
      const watermark = Math.max(...messages.map((message) => message.at));
      const mids = messages.map((message) => message.messageId);
      await emit(deliveryEvent(store.page, user, time(when?.at), mids, watermark));
      return messages.length;
    },
    async read(psid, when) {
      const user = store.user(psid);
      const at = time(when?.at);
      await emit(readEvent(store.page, user, at, at));
    },
    subscribeWebhook: (options) => webhooks.subscribe(options),
    unsubscribeWebhook: () => webhooks.unsubscribe(),
    deliverPending: () => webhooks.deliverPending(),
    webhookDeliveries: () => webhooks.deliveries(),
    sent: () => store.sent.map((message) => ({ ...message })),
    setRateLimit: (limit) => {
      ctx.limiter = limit ? new SlidingWindowLimiter(limit, clock) : undefined;
    },
    faults: ctx.faults,
  };
}
