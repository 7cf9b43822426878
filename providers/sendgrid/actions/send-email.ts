import { defineAction, PatchbayError, sendEmailInput, sendEmailOutput } from '../../../src/scripts/index.ts';
import { addressOf } from '../address.ts';
import { sendgridCall } from '../api.ts';

/**
 * Sends one email with SendGrid's `POST /v3/mail/send`
 * (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send): one personalization
 * for all recipients, `text/plain` before `text/html` as SendGrid requires. The answer is 202 with
 * an empty body; the message's id is the `X-Message-Id` header, which starts every event's
 * `sg_message_id`.
 *
 * SendGrid takes no idempotency key, so this action is at most once (not resumable): a run whose
 * worker stopped mid-call ends `action_interrupted` rather than risk a second email, and the
 * proxy retries the POST only after a 429 (refused unprocessed). The run's key travels as the
 * `patchbay_idempotency_key` custom arg, which SendGrid copies into every event of the message.
 */
export default defineAction({
  name: 'send-email',
  description: 'Sends an email through SendGrid; answers its X-Message-Id (the emailId of its email_events).',
  input: sendEmailInput,
  output: sendEmailOutput,
  async exec(ctx, input) {
    const content = [
      ...(input.text === undefined ? [] : [{ type: 'text/plain', value: input.text }]),
      ...(input.html === undefined ? [] : [{ type: 'text/html', value: input.html }]),
    ];
    const response = await sendgridCall(ctx, {
      method: 'POST',
      path: '/mail/send',
      body: {
        personalizations: [
          {
            to: input.to.map(addressOf),
            ...(input.cc === undefined ? {} : { cc: input.cc.map(addressOf) }),
            ...(input.bcc === undefined ? {} : { bcc: input.bcc.map(addressOf) }),
          },
        ],
        from: addressOf(input.from),
        ...(input.replyTo === undefined ? {} : { reply_to: addressOf(input.replyTo) }),
        subject: input.subject,
        content,
        ...(input.headers === undefined ? {} : { headers: input.headers }),
        custom_args: { patchbay_idempotency_key: ctx.idempotencyKey ?? `run:${ctx.runId}` },
      },
    });
    await response.text();
    const id = response.headers['x-message-id'];
    if (!id) {
      throw new PatchbayError(
        'provider_response_invalid',
        'SendGrid accepted the email without an X-Message-Id header',
        {
          details: { status: response.status },
        },
      );
    }
    return { id };
  },
});
