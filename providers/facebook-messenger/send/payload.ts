/**
 * What `send-message` takes and the Send API request it becomes.
 *
 * Facts (Meta's Send API reference and template pages, see sandbox/facebook-messenger/FACTS.md):
 * - `POST /{page-id}/messages` with `recipient` (`{ id: PSID }`, or `{ comment_id }` for a private
 *   reply), `messaging_type` (`RESPONSE`, `UPDATE`, `MESSAGE_TAG` with a `tag`), `message` and an
 *   optional `notification_type`;
 * - `message.text` is at most 2000 characters; a button template's `text` at most 640, with 1–3
 *   buttons; a URL button is `{ type: 'web_url', url, title }` with a title of at most 20;
 * - a generic template element has a `title` (80) and at least one other property: `subtitle`
 *   (80), `image_url`, `default_action` (a URL button without title), `buttons`;
 * - the message tags of the current platform are `CONFIRMED_EVENT_UPDATE`,
 *   `POST_PURCHASE_UPDATE`, `ACCOUNT_UPDATE` and `HUMAN_AGENT` (human replies within 7 days of the
 *   person's last message, for apps approved for the Human Agent feature).
 * Limits count characters (code points), as Meta states them; checking them here turns what Graph
 * would refuse with its code 100 into a 400 `action_input_invalid` before anything is sent.
 */
import { z } from '../../../src/scripts/index.ts';

export const LIMITS = {
  text: 2000,
  buttonTemplateText: 640,
  buttonTitle: 20,
  cardTitle: 80,
  cardSubtitle: 80,
  /** Not Meta's: a bound on what the host may pass as a link. */
  url: 2048,
  buyerRef: 200,
} as const;

export const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'] as const;
export const MESSAGE_TAGS = [
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'ACCOUNT_UPDATE',
  'HUMAN_AGENT',
] as const;
export const NOTIFICATION_TYPES = ['REGULAR', 'SILENT_PUSH', 'NO_PUSH'] as const;

/** The URL button's title when the host gives none. */
export const DEFAULT_BUTTON_TITLE = 'Open checkout';

const length = (value: string) => [...value].length;

/** A non-blank string of at most `max` characters. */
function text(max: number) {
  return z
    .string()
    .refine((value) => value.trim().length > 0, 'must not be blank')
    .refine((value) => length(value) <= max, `must be at most ${max} characters`);
}

const webUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain })
  .max(LIMITS.url)
  .meta({ example: 'https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_YWNjdF8x' });

const recipient = z
  .strictObject({
    /** The buyer's Page-scoped id: the 24-hour standard messaging window applies. */
    psid: z
      .string()
      .regex(/^[0-9]{1,32}$/, 'must be a Page-scoped id (digits)')
      .optional(),
    /** A comment of the buyer (on a post or a live video): one private reply within 7 days. */
    commentId: z
      .string()
      .regex(/^[0-9]{1,32}(_[0-9]{1,32})?$/, 'must be a Graph comment id ({object-id}_{comment-id})')
      .optional(),
  })
  .superRefine((value, ctx) => {
    const given = [value.psid, value.commentId].filter((id) => id !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of psid or commentId' });
    }
  });

const card = z.strictObject({
  title: text(LIMITS.cardTitle),
  /** Default: `text`, which must then fit the 80 characters of a subtitle. */
  subtitle: text(LIMITS.cardSubtitle).optional(),
  imageUrl: webUrl.optional(),
});

export const sendMessageInput = z
  .strictObject({
    recipient,
    /** The message; with `url` the text of the button template (640 characters). */
    text: text(LIMITS.text),
    /** A checkout link: sent as a URL button under `text`, or on the `card`. */
    url: webUrl.optional(),
    buttonTitle: text(LIMITS.buttonTitle).optional(),
    /** Send a generic template (a card with title, subtitle and image) instead of a button template. */
    card: card.optional(),
    messagingType: z.enum(MESSAGING_TYPES).optional(),
    tag: z.enum(MESSAGE_TAGS).optional(),
    notificationType: z.enum(NOTIFICATION_TYPES).optional(),
    /** The host's id of the buyer, carried into the events. */
    buyerRef: z.string().min(1).max(LIMITS.buyerRef).optional(),
  })
  .superRefine((input, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (input.url === undefined) {
      if (input.buttonTitle !== undefined) issue('buttonTitle', 'needs a url for the button');
      if (input.card !== undefined) issue('card', 'needs a url for the card to open');
    } else if (input.card === undefined && length(input.text) > LIMITS.buttonTemplateText) {
      issue('text', `must be at most ${LIMITS.buttonTemplateText} characters with a url (button template)`);
    }
    if (input.card && input.card.subtitle === undefined && length(input.text) > LIMITS.cardSubtitle) {
      issue('text', `is the card's subtitle when it has none: at most ${LIMITS.cardSubtitle} characters`);
    }
    const type = messagingTypeOf(input);
    if (type === 'MESSAGE_TAG' && input.tag === undefined) issue('tag', 'is required with MESSAGE_TAG');
    if (type !== 'MESSAGE_TAG' && input.tag !== undefined) {
      issue('messagingType', 'must be MESSAGE_TAG (or left out) when a tag is given');
    }
  });

export type SendMessageInput = z.output<typeof sendMessageInput>;

/** RESPONSE unless the host says otherwise; a tag alone means MESSAGE_TAG. */
export function messagingTypeOf(input: Pick<SendMessageInput, 'messagingType' | 'tag'>) {
  return input.messagingType ?? (input.tag === undefined ? 'RESPONSE' : 'MESSAGE_TAG');
}

/** The Send API's JSON body for a validated input. */
export function sendRequestBody(input: SendMessageInput): Record<string, unknown> {
  const { psid, commentId } = input.recipient;
  return {
    recipient: psid !== undefined ? { id: psid } : { comment_id: commentId },
    messaging_type: messagingTypeOf(input),
    ...(input.tag === undefined ? {} : { tag: input.tag }),
    message: messageOf(input),
    ...(input.notificationType === undefined ? {} : { notification_type: input.notificationType }),
  };
}

function messageOf(input: SendMessageInput): Record<string, unknown> {
  if (input.url === undefined) return { text: input.text };
  const button = { type: 'web_url', url: input.url, title: input.buttonTitle ?? DEFAULT_BUTTON_TITLE };
  if (input.card === undefined) {
    return {
      attachment: {
        type: 'template',
        payload: { template_type: 'button', text: input.text, buttons: [button] },
      },
    };
  }
  const element = {
    title: input.card.title,
    subtitle: input.card.subtitle ?? input.text,
    ...(input.card.imageUrl === undefined ? {} : { image_url: input.card.imageUrl }),
    default_action: { type: 'web_url', url: input.url },
    buttons: [button],
  };
  return { attachment: { type: 'template', payload: { template_type: 'generic', elements: [element] } } };
}
