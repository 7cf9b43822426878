/**
 * Sends a buyer a message from the connected Page — text, or a checkout link as a button or a
 * card — by Page-scoped id (inside the 24-hour window, or later with a message tag) or as the
 * private reply to the buyer's comment on a post or live video.
 *
 * When Meta refuses the message for good (outside the window, blocked, missing permission,
 * expired Page token, unknown recipient, comment already answered), the run still succeeds: its
 * output is `{ status: 'fallback_required', reason, text, url, … }` and it emits
 * `message.fallback_required`, so a console can show the operator the ready-to-share text and
 * link. Passing failures (throttling, server faults) fail the run with `provider_error`
 * (`details.transient: true`): Meta asks for the message to be sent again later.
 *
 * The Send API takes no idempotency key: run the action with the host's own key (the run's
 * `Idempotency-Key`) so that a retried request answers the first run instead of sending twice.
 */
import { defineAction, PatchbayError, z } from '../../../src/scripts/index.ts';
import { sendMessageInput, sendRequestBody } from '../send/payload.ts';
import { classifyRefusal, FALLBACK_REASONS, type GraphErrorInfo } from '../send/refusals.ts';

/** The longest provider message an output or event carries. */
const MAX_PROVIDER_MESSAGE = 500;
/** Send API answers are a few hundred bytes; more than this is not one, and is not buffered. */
const MAX_ANSWER_BYTES = 64 * 1024;

const recipientOut = z.object({ psid: z.string().nullable(), commentId: z.string().nullable() });

const output = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('sent'),
    messageId: z.string(),
    /** The buyer's PSID as Meta answers it (for a private reply, the commenter's). */
    recipientId: z.string().nullable(),
    recipient: recipientOut,
    buyerRef: z.string().nullable(),
  }),
  z.object({
    status: z.literal('fallback_required'),
    reason: z.enum(FALLBACK_REASONS),
    providerError: z.object({ code: z.string(), subcode: z.string().nullable(), message: z.string() }),
    recipient: recipientOut,
    buyerRef: z.string().nullable(),
    /** What to share by hand: the message's text and its link. */
    text: z.string(),
    url: z.string().nullable(),
  }),
]);

const sendResponse = z.object({ message_id: z.string().min(1), recipient_id: z.string().min(1).optional() });

export default defineAction({
  name: 'send-message',
  description:
    'Sends a buyer a message (text, or a checkout link as a button or card) by PSID or as a private reply to their comment; when Meta refuses it, returns and emits message.fallback_required with the text and link to share by hand.',
  input: sendMessageInput,
  output,
  async exec(ctx, input) {
    const pageId = ctx.connection.config.pageId;
    if (!pageId) {
      throw new PatchbayError('provider_error', 'The connection has no pageId: reconnect it choosing a Page');
    }
    const path = `/${encodeURIComponent(pageId)}/messages`;
    const response = await ctx.proxy.request({
      method: 'POST',
      path,
      body: { json: sendRequestBody(input) },
      signal: ctx.signal,
    });
    const body = parseJson(await readBounded(response.body, MAX_ANSWER_BYTES));
    const recipient = { psid: input.recipient.psid ?? null, commentId: input.recipient.commentId ?? null };
    const buyerRef = input.buyerRef ?? null;
    const url = input.url ?? null;

    if (response.status >= 200 && response.status <= 299) {
      const sent = sendResponse.safeParse(body);
      if (!sent.success) {
        throw new PatchbayError(
          'provider_response_invalid',
          `POST ${path}: the Send API answered ${response.status} without a message_id; the message may have been sent`,
          { details: { status: response.status } },
        );
      }
      const recipientId = sent.data.recipient_id ?? null;
      const psid = recipientId ?? recipient.psid;
      ctx.events.emit('message.sent', {
        messageId: sent.data.message_id,
        recipient: { psid, commentId: recipient.commentId },
        text: input.text,
        url,
        buyerRef,
      });
      return {
        status: 'sent' as const,
        messageId: sent.data.message_id,
        recipientId,
        recipient: { psid, commentId: recipient.commentId },
        buyerRef,
      };
    }

    const refusal = classifyRefusal(response.status, body);
    if (refusal.kind === 'error') {
      throw new PatchbayError(
        'provider_error',
        `POST ${path}: the Send API answered ${response.status}${describe(refusal.error)}${refusal.transient ? '; Meta asks to send it again later' : ''}`,
        {
          details: {
            status: response.status,
            transient: refusal.transient,
            ...(refusal.error ? providerErrorOf(refusal.error) : {}),
          },
        },
      );
    }
    const providerError = providerErrorOf(refusal.error);
    ctx.log.info(
      { runId: ctx.runId, reason: refusal.reason, code: providerError.code, subcode: providerError.subcode },
      'Messenger refused the message: the operator shares it by hand',
    );
    ctx.events.emit('message.fallback_required', {
      reason: refusal.reason,
      providerError,
      recipient,
      buyerRef,
      text: input.text,
      url,
    });
    return {
      status: 'fallback_required' as const,
      reason: refusal.reason,
      providerError,
      recipient,
      buyerRef,
      text: input.text,
      url,
    };
  },
});

function providerErrorOf(error: GraphErrorInfo) {
  return {
    code: String(error.code),
    subcode: error.subcode === null ? null : String(error.subcode),
    message: error.message.slice(0, MAX_PROVIDER_MESSAGE),
  };
}

function describe(error: GraphErrorInfo | null): string {
  if (error === null) return '';
  const code = error.subcode === null ? `${error.code}` : `${error.code}/${error.subcode}`;
  return ` (#${code}: ${error.message.slice(0, MAX_PROVIDER_MESSAGE)})`;
}

/** The body's text, or '' when it is longer than `maxBytes` (the rest is cancelled, not read). */
async function readBounded(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) return '';
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
