/**
 * Reading a Send API request's parameters: `recipient` (`{ id }` — a PSID — or, for a private
 * reply, `{ comment_id }` or `{ post_id }`), `messaging_type` (required for a PSID), `tag` (with
 * `MESSAGE_TAG`), `message`, `notification_type`. Each problem answers Graph's code 100.
 */
import { type GraphError, GraphErrors } from './graph-errors.ts';
import { validateMessage } from './message-rules.ts';
import { MESSAGE_TAGS, MESSAGING_TYPES, type MessageTag, type MessagingType } from './policy.ts';
import { objectParam, stringParam } from './request.ts';

export type Recipient = { id: string } | { comment_id: string } | { post_id: string };

export interface SendRequest {
  readonly recipient: Recipient;
  readonly messagingType: MessagingType | undefined;
  readonly tag: MessageTag | undefined;
  readonly message: Record<string, unknown>;
}

const NOTIFICATION_TYPES = ['REGULAR', 'SILENT_PUSH', 'NO_PUSH'];
const RECIPIENT_KEYS = ['id', 'comment_id', 'post_id'] as const;

export function parseSendRequest(
  params: Readonly<Record<string, unknown>>,
): { ok: true; send: SendRequest } | { ok: false; error: GraphError } {
  const failure = (message: string) => ({ ok: false as const, error: GraphErrors.invalidParameter(message) });

  const recipientParam = objectParam(params, 'recipient');
  if (recipientParam === undefined) return failure('The parameter recipient is required');
  if (recipientParam === 'invalid') return failure('Param recipient must be a JSON object');
  const keys = RECIPIENT_KEYS.filter((key) => recipientParam[key] !== undefined);
  const key = keys[0];
  const value = key === undefined ? undefined : recipientParam[key];
  if (keys.length !== 1 || key === undefined || (typeof value !== 'string' && typeof value !== 'number')) {
    return failure('Param recipient must have exactly one of id, comment_id, post_id');
  }
  const recipient = { [key]: String(value) } as Recipient;

  const type = stringParam(params, 'messaging_type');
  // A private reply may omit messaging_type (Meta's private reply examples do); a PSID send may not.
  if (type === undefined && key === 'id') return failure('The parameter messaging_type is required');
  if (type !== undefined && !(MESSAGING_TYPES as readonly string[]).includes(type)) {
    return failure(`Param messaging_type must be one of {${MESSAGING_TYPES.join(', ')}}`);
  }
  const tag = stringParam(params, 'tag');
  if (type === 'MESSAGE_TAG') {
    if (tag === undefined) return failure('Param tag is required when messaging_type is MESSAGE_TAG');
    if (!(MESSAGE_TAGS as readonly string[]).includes(tag)) {
      return failure(`Param tag must be one of {${MESSAGE_TAGS.join(', ')}}`);
    }
  }

  const notification = stringParam(params, 'notification_type');
  if (notification !== undefined && !NOTIFICATION_TYPES.includes(notification)) {
    return failure(`Param notification_type must be one of {${NOTIFICATION_TYPES.join(', ')}}`);
  }

  const message = objectParam(params, 'message');
  if (message === undefined) return failure('The parameter message is required');
  if (message === 'invalid') return failure('Param message must be a JSON object');
  const messageError = validateMessage(message);
  if (messageError) return { ok: false, error: messageError };

  return {
    ok: true,
    send: {
      recipient,
      messagingType: type as MessagingType | undefined,
      // A tag only counts with MESSAGE_TAG; with another type Graph ignores it.
      tag: type === 'MESSAGE_TAG' ? (tag as MessageTag) : undefined,
      message,
    },
  };
}
