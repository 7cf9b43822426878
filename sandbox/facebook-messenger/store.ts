/**
 * What the emulated Page knows: the people who can message it (by Page-scoped ID), the comments
 * and visitor posts it can answer with a private reply, the messages it sent, and the
 * permissions its app lost. Times are epoch ms of the sandbox clock.
 */
import type { GraphIds } from './ids.ts';

export interface MessengerUser {
  /** Page-scoped ID: what the Send API and the messaging webhooks use. */
  readonly psid: string;
  /** App-scoped user id: what `from.id` of a feed comment carries (it is not the PSID). */
  readonly appScopedId: string;
  readonly name: string;
  /** The person's last message (or postback) to the Page; null before the first one. */
  lastInboundAt: number | null;
  /** The person blocked the Page: every send to them is refused. */
  blocked: boolean;
}

/** A comment on a Page post (live videos included) or a visitor post, open to one private reply. */
export interface Replyable {
  readonly id: string;
  readonly kind: 'comment' | 'post';
  /** The post commented on (for a visitor post, its own id). */
  readonly postId: string;
  readonly psid: string;
  readonly message: string;
  readonly createdAt: number;
  /** The message id of the private reply, once sent. */
  replyMessageId?: string;
}

/** A message the Page sent, as `control.sent()` lists it. */
export interface SentMessage {
  readonly messageId: string;
  /** The PSID it went to (for a private reply, the commenter's). */
  readonly recipientId: string;
  /** How the request named the recipient. */
  readonly recipient: { id: string } | { comment_id: string } | { post_id: string };
  readonly messagingType: string | undefined;
  readonly tag: string | undefined;
  readonly message: Readonly<Record<string, unknown>>;
  readonly at: number;
  delivered: boolean;
}

export interface PageInfo {
  readonly id: string;
  readonly name: string;
  readonly category: string;
}

export class MessengerStore {
  readonly page: PageInfo;
  readonly users = new Map<string, MessengerUser>();
  readonly replyables = new Map<string, Replyable>();
  readonly sent: SentMessage[] = [];
  /** Permissions removed from the app after login (`control.revokePermission`). */
  readonly revoked = new Set<string>();
  readonly #ids: GraphIds;

  constructor(ids: GraphIds, page: PageInfo) {
    this.#ids = ids;
    this.page = page;
  }

  addUser(input: { psid?: string; name?: string } = {}): MessengerUser {
    const psid = input.psid ?? this.#ids.psid();
    const existing = this.users.get(psid);
    if (existing) return existing;
    const user: MessengerUser = {
      psid,
      appScopedId: this.#ids.numeric(16),
      name: input.name ?? `Buyer ${this.users.size + 1}`,
      lastInboundAt: null,
      blocked: false,
    };
    this.users.set(psid, user);
    return user;
  }

  user(psid: string): MessengerUser {
    const user = this.users.get(psid);
    if (!user) throw new Error(`no user with PSID ${psid}; add one with control.addUser`);
    return user;
  }

  addReplyable(input: Omit<Replyable, 'id' | 'postId'> & { postId?: string }): Replyable {
    // Graph ids of comments and visitor posts are `{object}_{id}`.
    const objectId = this.#ids.numeric(15);
    const id =
      input.kind === 'post' ? `${this.page.id}_${objectId}` : `${postObject(input.postId)}_${objectId}`;
    const replyable: Replyable = { ...input, id, postId: input.postId ?? id };
    this.replyables.set(id, replyable);
    return replyable;
  }

  /** A new post id on the Page (`{page-id}_{post-id}`), e.g. for a live video. */
  newPostId(): string {
    return `${this.page.id}_${this.#ids.numeric(15)}`;
  }
}

/** The object part of a `{page-id}_{post-id}` post id, which comment ids start with. */
function postObject(postId: string | undefined): string {
  if (postId === undefined) throw new Error('a comment needs the id of the post it is on');
  return postId.includes('_') ? (postId.split('_')[1] as string) : postId;
}
