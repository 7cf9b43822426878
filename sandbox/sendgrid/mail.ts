/**
 * `POST /v3/mail/send` of the SendGrid emulator: the checks SendGrid's Mail Send reference
 * describes (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send), each
 * refusal an entry of the 400 body with its `field` and a `help` link, all problems reported at
 * once. `personalizations` (1 to 1000, each with `to`), `from.email`, a `subject` (top-level or
 * in every personalization), `content` blocks with `text/plain` first, at most 1000 recipients,
 * no address twice in one personalization, string `headers` and `custom_args`.
 */
import { randomBytes } from 'node:crypto';
import { MAIL_ERRORS_HELP, type SendGridErrorEntry, SendGridRefusal } from './errors.ts';

export interface SendGridAddress {
  email: string;
  name?: string;
}

export interface SendGridPersonalization {
  to: SendGridAddress[];
  cc?: SendGridAddress[];
  bcc?: SendGridAddress[];
  subject?: string;
  headers?: Record<string, string>;
  custom_args?: Record<string, string>;
}

/** A message the emulator accepted. */
export interface SendGridMessage {
  /** The `X-Message-Id` answered; every event's `sg_message_id` starts with it. */
  id: string;
  personalizations: SendGridPersonalization[];
  from: SendGridAddress;
  replyTo: SendGridAddress | null;
  subject: string | null;
  content: Array<{ type: string; value: string }>;
  headers: Record<string, string>;
  customArgs: Record<string, string>;
  categories: string[];
  acceptedAt: number;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const MAX_RECIPIENTS = 1000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a mail-send body; answers the message or throws the 400 SendGrid answers. */
export function acceptMail(body: unknown, acceptedAt: number): SendGridMessage {
  const errors: SendGridErrorEntry[] = [];
  const fail = (field: string | null, message: string, anchor: string) =>
    errors.push({ field, message, help: `${MAIL_ERRORS_HELP}#${anchor}` });
  if (!isObject(body)) throw SendGridRefusal.plain(400, 'Bad Request');

  const address = (value: unknown, field: string, anchor: string): SendGridAddress | null => {
    if (!isObject(value) || typeof value.email !== 'string') {
      fail(`${field}.email`, 'The email parameter is required and must be a string.', anchor);
      return null;
    }
    if (!EMAIL.test(value.email)) {
      fail(`${field}.email`, 'Does not contain a valid address.', anchor);
      return null;
    }
    return { email: value.email, ...(typeof value.name === 'string' ? { name: value.name } : {}) };
  };
  const addresses = (value: unknown, field: string, anchor: string): SendGridAddress[] => {
    if (!Array.isArray(value) || value.length === 0) {
      fail(
        field,
        `The ${field.split('.').at(-1)} array is required and must have at least one address.`,
        anchor,
      );
      return [];
    }
    return value.flatMap((item, index) => address(item, `${field}.${index}`, anchor) ?? []);
  };
  const strings = (value: unknown, field: string, anchor: string): Record<string, string> => {
    if (value === undefined) return {};
    if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
      fail(field, `The ${field} parameter must be an object whose values are strings.`, anchor);
      return {};
    }
    return value as Record<string, string>;
  };

  const personalizations: SendGridPersonalization[] = [];
  let recipients = 0;
  if (!Array.isArray(body.personalizations) || body.personalizations.length === 0) {
    fail(
      'personalizations',
      'The personalizations field is required and must have at least one personalization.',
      'message.personalizations',
    );
  } else {
    body.personalizations.forEach((raw: unknown, index: number) => {
      const field = `personalizations.${index}`;
      if (!isObject(raw)) {
        fail(field, 'A personalization must be an object.', 'message.personalizations');
        return;
      }
      const to = addresses(raw.to, `${field}.to`, 'message.personalizations.to');
      const cc =
        raw.cc === undefined ? undefined : addresses(raw.cc, `${field}.cc`, 'message.personalizations.cc');
      const bcc =
        raw.bcc === undefined
          ? undefined
          : addresses(raw.bcc, `${field}.bcc`, 'message.personalizations.bcc');
      const all = [...to, ...(cc ?? []), ...(bcc ?? [])].map((a) => a.email.toLowerCase());
      recipients += all.length;
      if (new Set(all).size !== all.length) {
        fail(
          field,
          'Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of an address in the personalization.',
          'message.recipient-errors',
        );
      }
      if (raw.subject !== undefined && typeof raw.subject !== 'string')
        fail(`${field}.subject`, 'The subject must be a string.', 'message.subject');
      personalizations.push({
        to,
        ...(cc ? { cc } : {}),
        ...(bcc ? { bcc } : {}),
        ...(typeof raw.subject === 'string' ? { subject: raw.subject } : {}),
        headers: strings(raw.headers, `${field}.headers`, 'message.headers'),
        custom_args: strings(raw.custom_args, `${field}.custom_args`, 'message.custom_args'),
      });
    });
    if (body.personalizations.length > MAX_RECIPIENTS) {
      fail(
        'personalizations',
        `The personalizations field must have at most ${MAX_RECIPIENTS} personalizations.`,
        'message.personalizations',
      );
    }
    if (recipients > MAX_RECIPIENTS) {
      fail(
        'personalizations',
        `The total number of recipients must be no more than ${MAX_RECIPIENTS}.`,
        'message.recipient-errors',
      );
    }
  }

  let from: SendGridAddress | null = null;
  if (body.from === undefined) {
    fail(
      'from.email',
      'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.',
      'message.from',
    );
  } else from = address(body.from, 'from', 'message.from');
  const replyTo = body.reply_to === undefined ? null : address(body.reply_to, 'reply_to', 'message.reply_to');
  const subject = typeof body.subject === 'string' && body.subject !== '' ? body.subject : null;
  const templated = typeof body.template_id === 'string';
  if (
    subject === null &&
    !templated &&
    !personalizations.every((p) => typeof p.subject === 'string' && p.subject !== '')
  ) {
    fail(
      'subject',
      'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
      'message.subject',
    );
  }

  const content: Array<{ type: string; value: string }> = [];
  if (body.content === undefined) {
    if (!templated)
      fail(
        'content',
        'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.',
        'message.content',
      );
  } else if (!Array.isArray(body.content) || body.content.length === 0) {
    fail(
      'content',
      'The content parameter must be an array with at least one content block.',
      'message.content',
    );
  } else {
    body.content.forEach((block: unknown, index: number) => {
      if (!isObject(block) || typeof block.type !== 'string' || block.type === '') {
        fail(
          `content.${index}.type`,
          'The content type is required and must be a string, such as text/plain or text/html.',
          'message.content.type',
        );
      } else if (typeof block.value !== 'string' || block.value === '') {
        fail(
          `content.${index}.value`,
          'The content value must be a string at least one character in length.',
          'message.content.value',
        );
      } else content.push({ type: block.type, value: block.value });
    });
    const types = content.map((block) => block.type);
    if (
      types.filter((type) => type === 'text/plain').length > 1 ||
      types.filter((type) => type === 'text/html').length > 1
    ) {
      fail('content', 'If present, text/plain and text/html may only be provided once.', 'message.content');
    } else if (types.includes('text/plain') && types[0] !== 'text/plain') {
      fail(
        'content',
        'If present, text/plain content must be first, followed by text/html, followed by any other content.',
        'message.content',
      );
    }
  }

  const headers = strings(body.headers, 'headers', 'message.headers');
  const customArgs = strings(body.custom_args, 'custom_args', 'message.custom_args');
  const categories = Array.isArray(body.categories)
    ? body.categories.filter((c): c is string => typeof c === 'string')
    : [];
  if (errors.length > 0 || from === null) throw new SendGridRefusal(400, errors);
  return {
    id: randomBytes(16).toString('base64url').slice(0, 22),
    personalizations,
    from,
    replyTo,
    subject,
    content,
    headers,
    customArgs,
    categories,
    acceptedAt,
  };
}
