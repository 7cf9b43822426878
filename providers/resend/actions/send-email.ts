import { defineAction, sendEmailInput, sendEmailOutput } from '../../../src/scripts/index.ts';
import { idempotencyKeyOf, resendRequest } from '../api.ts';

/**
 * Sends one email with Resend's `POST /emails`
 * (https://resend.com/docs/api-reference/emails/send-email). The Idempotency-Key comes from the
 * action run's key (or its id), so a retry — by the proxy, by the queue after a crash, or by the
 * host repeating its request within Resend's 24 hours — returns the first email's id instead of
 * sending a second one; the action is therefore resumable.
 */
export default defineAction({
  name: 'send-email',
  description: 'Sends an email through Resend; answers its id (the emailId of its email_events).',
  input: sendEmailInput,
  output: sendEmailOutput,
  resumable: true,
  async exec(ctx, input) {
    const sent = await resendRequest<{ id: string }>(ctx, {
      method: 'POST',
      path: '/emails',
      body: {
        from: input.from,
        to: input.to,
        subject: input.subject,
        ...(input.text === undefined ? {} : { text: input.text }),
        ...(input.html === undefined ? {} : { html: input.html }),
        ...(input.replyTo === undefined ? {} : { reply_to: input.replyTo }),
        ...(input.cc === undefined ? {} : { cc: input.cc }),
        ...(input.bcc === undefined ? {} : { bcc: input.bcc }),
        ...(input.headers === undefined ? {} : { headers: input.headers }),
      },
      idempotencyKey: await idempotencyKeyOf(ctx, 'send-email'),
    });
    return { id: sent.id };
  },
});
