/**
 * The email object of the Resend emulator and the checks `POST /emails` makes before accepting
 * one, as Resend's reference describes them (https://resend.com/docs/api-reference/emails/send-email):
 * `from`, `to` (at most 50 addresses), `subject` required; `html`, `text` or a template; `cc`,
 * `bcc`, `reply_to` as a string or a list; sending only from a verified domain.
 */
import { randomUUID } from 'node:crypto';
import type { GetEmailResponseSuccess } from 'resend';
import { ResendRefusal } from './errors.ts';

/** What Resend reports as an email's `last_event` (the SDK's type). */
export type ResendLastEvent = GetEmailResponseSuccess['last_event'];

/**
 * An email as `GET /emails/{id}` returns it: the official SDK's `GetEmailResponseSuccess`, with
 * `tags` always present (the emulator lists none for an email sent without).
 */
export type ResendEmail = Omit<GetEmailResponseSuccess, 'tags' | 'topic_id'> & {
  tags: Array<{ name: string; value: string }>;
};

/** The headers an email was sent with (kept for tests; Resend does not return them). */
export interface AcceptedEmail {
  email: ResendEmail;
  headers: Record<string, string>;
}

const MAX_RECIPIENTS = 50;
/** `a@b.c` or `Name <a@b.c>`. */
const ADDRESS = /^(?:[^<>]*<\s*([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)\s*>|([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+))$/;
const FORMAT =
  'The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.';

/** The bare address of `a@b.c` or `Name <a@b.c>`; null when it is neither. */
export function addressOf(value: string): string | null {
  const match = ADDRESS.exec(value.trim());
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function list(body: Record<string, unknown>, field: string): string[] | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (!items || items.some((item) => typeof item !== 'string')) {
    throw new ResendRefusal(
      'validation_error',
      `The \`${field}\` field must be a string or an array of strings.`,
    );
  }
  for (const item of items as string[]) {
    if (addressOf(item) === null)
      throw new ResendRefusal('validation_error', `Invalid \`${field}\` field. ${FORMAT}`);
  }
  return items as string[];
}

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string')
    throw new ResendRefusal('validation_error', `The \`${field}\` field must be a string.`);
  return value;
}

/**
 * Checks one email of `POST /emails` (or one item of `/emails/batch`) and builds the stored
 * object; throws the refusal Resend answers with. `verifiedDomains` are the account's.
 */
export function acceptEmail(body: unknown, verifiedDomains: ReadonlySet<string>, now: Date): AcceptedEmail {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ResendRefusal('validation_error', 'The request body must be a JSON object.');
  }
  const fields = body as Record<string, unknown>;
  for (const field of ['from', 'to', 'subject']) {
    if (fields[field] === undefined || fields[field] === null || fields[field] === '') {
      throw new ResendRefusal('missing_required_field', `Missing \`${field}\` field.`);
    }
  }
  if (typeof fields.from !== 'string' || addressOf(fields.from) === null) {
    throw new ResendRefusal('invalid_from_address', `Invalid \`from\` field. ${FORMAT}`);
  }
  const to = list(fields, 'to') ?? [];
  const cc = list(fields, 'cc');
  const bcc = list(fields, 'bcc');
  const replyTo = list(fields, 'reply_to');
  if (to.length > MAX_RECIPIENTS) {
    throw new ResendRefusal(
      'validation_error',
      `Too many recipients in \`to\`: at most ${MAX_RECIPIENTS} are allowed.`,
    );
  }
  const subject = optionalString(fields, 'subject') ?? '';
  const html = optionalString(fields, 'html');
  const text = optionalString(fields, 'text');
  if (html === null && text === null && fields.template === undefined) {
    throw new ResendRefusal('validation_error', 'Either `html`, `text` or `template` must be provided.');
  }
  const headers = fields.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new ResendRefusal('validation_error', 'The `headers` field must be an object of strings.');
  }
  for (const value of Object.values(headers)) {
    if (typeof value !== 'string')
      throw new ResendRefusal('validation_error', 'The `headers` field must be an object of strings.');
  }
  const domain = addressOf(fields.from)?.split('@')[1]?.toLowerCase() ?? '';
  if (!verifiedDomains.has(domain)) {
    throw new ResendRefusal(
      'validation_error',
      `The ${domain} domain is not verified. Please, add and verify your domain on https://resend.com/domains`,
      403,
    );
  }
  const tags = Array.isArray(fields.tags) ? (fields.tags as Array<{ name: string; value: string }>) : [];
  const id = randomUUID();
  return {
    email: {
      object: 'email',
      id,
      message_id: `<${id}@${domain}>`,
      from: fields.from,
      to,
      cc,
      bcc,
      reply_to: replyTo,
      subject,
      html,
      text,
      created_at: resendTime(now),
      scheduled_at: null,
      last_event: 'sent',
      tags,
    },
    headers: headers as Record<string, string>,
  };
}

/** Resend writes instants as ISO 8601 with a `+00:00` offset. */
export function resendTime(at: Date): string {
  return at.toISOString().replace('Z', '+00:00');
}

/** `GET /emails`: newest first, `limit` 1–100 (default 20), the page after the email `after`. */
export function listEmails(emails: readonly AcceptedEmail[], url: URL) {
  const limit = Number(url.searchParams.get('limit') ?? '20');
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ResendRefusal(
      'validation_error',
      'The `limit` parameter must be an integer between 1 and 100.',
    );
  }
  const newestFirst = [...emails].reverse().map((one) => {
    const { html: _, text: __, tags: ___, object: ____, ...listed } = one.email;
    return listed;
  });
  const after = url.searchParams.get('after');
  let start = 0;
  if (after !== null) {
    const at = newestFirst.findIndex((email) => email.id === after);
    if (at < 0)
      throw new ResendRefusal('invalid_parameter', 'The `after` parameter must be the id of an email.');
    start = at + 1;
  }
  const data = newestFirst.slice(start, start + limit);
  return { object: 'list', has_more: start + limit < newestFirst.length, data };
}
