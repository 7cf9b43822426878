/**
 * SendGrid v3's error body (https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors):
 * `{ errors: [{ message, field, help }] }`, one entry per problem, with the status telling the kind
 * (400 bad request, 401 unauthorized, 403 forbidden, 404, 413, 429 too many requests).
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';

export interface SendGridErrorEntry {
  message: string;
  field: string | null;
  help: string | null;
}

/** Where SendGrid's mail-send errors point for help (its error anchors by field). */
export const MAIL_ERRORS_HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html';

/** A refusal a handler throws; the server answers it with SendGrid's body. */
export class SendGridRefusal extends Error {
  readonly status: number;
  readonly errors: SendGridErrorEntry[];

  constructor(status: number, errors: SendGridErrorEntry[]) {
    super(errors.map((error) => error.message).join('; '));
    this.status = status;
    this.errors = errors;
  }

  /** One error without a field (auth, rate limit, not found). */
  static plain(status: number, message: string): SendGridRefusal {
    return new SendGridRefusal(status, [{ message, field: null, help: null }]);
  }
}

export function sendSendGridError(
  res: ServerResponse,
  refusal: SendGridRefusal,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(res, refusal.status, { errors: refusal.errors }, headers);
}

/** A JSON request body; SendGrid answers one that does not parse with 400 `Bad Request`. */
export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw SendGridRefusal.plain(400, 'Bad Request');
  }
}
