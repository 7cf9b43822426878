/**
 * The channels an email leaves through, behind one small interface: SMTP through nodemailer (the
 * engine's PATCHBAY_SMTP_URL), or a connection's `send-email` action run through the actions
 * service — so a Resend or SendGrid send is logged, idempotent and plan-checked like any action.
 */
import nodemailer from 'nodemailer';
import type { ActionsService } from '../actions/types.ts';
import { PatchbayError } from '../errors/index.ts';

/** A rendered email ready to send. */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  /**
   * The Message-ID, the same on every attempt of one notification: a retry after a crash between
   * the server's acceptance and the log's update reaches the inbox as the same message.
   */
  messageId?: string;
}

/** What a channel reports for a sent email. */
export interface SendReceipt {
  providerMessageId: string | null;
  smtpResponse: string | null;
}

/** A failed send: `permanent` ones are not retried (a refused address, a channel that cannot send). */
export class SendFailure extends Error {
  readonly code: string;
  readonly permanent: boolean;
  constructor(code: string, message: string, permanent: boolean, cause?: unknown) {
    super(message, { cause });
    this.code = code;
    this.permanent = permanent;
  }
}

export interface MailChannel {
  /** `smtp` or `connection:<id>`, for the log. */
  readonly name: string;
  /** Sends one email; `key` identifies this attempt (the same key never sends twice where the channel can tell). */
  send(email: OutgoingEmail, key: string, signal?: AbortSignal): Promise<SendReceipt>;
}

/** SMTP through nodemailer: one transport per engine, a connection per email. */
export function smtpChannel(smtpUrl: string): MailChannel & { close(): void } {
  // Bounded waits, well inside the send job's time limit (nodemailer's own defaults reach 10 minutes).
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  return {
    name: 'smtp',
    async send(email) {
      try {
        const info = await transport.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          headers: email.headers,
          ...(email.messageId ? { messageId: email.messageId } : {}),
        });
        return {
          providerMessageId: info.messageId ?? null,
          smtpResponse: String(info.response ?? '').slice(0, 500),
        };
      } catch (cause) {
        const error = cause as { responseCode?: number; response?: string; message?: string };
        // 5xx is the server's final word on this message; anything else (connection refused,
        // timeouts, 4xx) may pass on a later attempt.
        const permanent = typeof error.responseCode === 'number' && error.responseCode >= 500;
        throw new SendFailure(
          'smtp_failed',
          `The SMTP server did not take the email: ${(error.response ?? error.message ?? 'unknown error').slice(0, 300)}`,
          permanent,
          cause,
        );
      }
    },
    close: () => transport.close(),
  };
}

/** A channel that cannot send (no SMTP configured): every send fails permanently, saying why. */
export function unavailableChannel(reason: string): MailChannel {
  return {
    name: 'smtp',
    async send() {
      throw new SendFailure('mail_channel_unavailable', reason, true);
    },
  };
}

/** The action every email-sending integration exposes (Resend, SendGrid, a host's own). */
export const SEND_EMAIL_ACTION = 'send-email';

/** Sends through a connection's `send-email` action, synchronously, under an idempotency key. */
export function connectionChannel(
  actions: Pick<ActionsService, 'run'>,
  environmentId: string,
  connectionId: string,
): MailChannel {
  return {
    name: `connection:${connectionId}`,
    async send(email, key) {
      let run: Awaited<ReturnType<ActionsService['run']>>;
      try {
        run = await actions.run(
          environmentId,
          connectionId,
          SEND_EMAIL_ACTION,
          {
            from: email.from,
            to: [email.to],
            subject: email.subject,
            text: email.text,
            html: email.html,
            headers: email.headers,
          },
          { mode: 'sync', idempotencyKey: key },
        );
      } catch (cause) {
        // Refused before it ran: no such connection or action, a plan refusal, bad input.
        const code = cause instanceof PatchbayError ? cause.code : 'send_failed';
        const transient = code === 'connection_reauth_required' || code === 'quota_exceeded';
        throw new SendFailure(code, (cause as Error).message.slice(0, 300), !transient, cause);
      }
      if (run.status === 'succeeded') {
        const output = run.output as { id?: unknown } | null;
        return { providerMessageId: typeof output?.id === 'string' ? output.id : null, smtpResponse: null };
      }
      throw new SendFailure(
        run.error?.code ?? 'send_failed',
        `The ${SEND_EMAIL_ACTION} action failed (run ${run.id}): ${(run.error?.message ?? run.status).slice(0, 300)}`,
        false,
      );
    },
  };
}
