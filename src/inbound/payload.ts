/**
 * Reading a stored delivery back: the body decoded as the provider sent it (JSON parsed when it
 * is JSON, form fields as an object, else text) and values at dot paths, for routing. Decoding
 * never throws, whatever the stored bytes hold: the read path and processing both start here.
 */
import { jsonTextTooDeep } from '../values/json-depth.ts';

// As the intake's parser reads it (verify/body.ts), a leading byte order mark skipped, so what it
// accepted as JSON reads back as JSON; but lenient, since a stored body must always be shown.
const utf8 = new TextDecoder('utf-8');

/** Why a body sent as JSON is shown as text. */
export type UndecodedReason = 'invalid_json' | 'json_too_deep';

export type DecodedBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; value: Record<string, string> }
  | { kind: 'text'; value: string; reason?: UndecodedReason };

/**
 * Decodes raw bytes by their content type. JSON that does not parse, or that nests deeper than
 * MAX_JSON_DEPTH (the intake refuses such bodies; an older version stored them), is shown as its
 * text with the reason, never parsed into a value that later steps could not serialize.
 */
export function decodeBody(body: Buffer, contentType: string | null): DecodedBody {
  const text = utf8.decode(body);
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return { kind: 'form', value: Object.fromEntries(new URLSearchParams(text)) };
  }
  if (type === '' || type === 'application/json' || type.endsWith('+json')) {
    if (jsonTextTooDeep(text)) return { kind: 'text', value: text, reason: 'json_too_deep' };
    try {
      return { kind: 'json', value: JSON.parse(text) as unknown };
    } catch {
      return { kind: 'text', value: text, reason: 'invalid_json' };
    }
  }
  return { kind: 'text', value: text };
}
