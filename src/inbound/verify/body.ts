/** Parsing a delivery's raw body by the definition's `bodyFormat`, strictly. */
import { PatchbayError } from '../../errors/index.ts';
import { jsonTextTooDeep, jsonTooDeep } from '../../values/json-depth.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch (cause) {
    throw new PatchbayError('webhook_payload_invalid', 'the webhook body is not valid UTF-8', { cause });
  }
}

/**
 * The body as JSON, or form fields as an object (a repeated field becomes an array of its values).
 * Throws `webhook_payload_invalid` when it does not parse, `json_too_deep` when it nests deeper
 * than MAX_JSON_DEPTH.
 */
export function parseBody(body: Buffer, format: 'json' | 'form'): unknown {
  const source = text(body);
  if (format === 'form') {
    // A Map, then Object.fromEntries: a field named __proto__ becomes an own property, not a prototype.
    const fields = new Map<string, string | string[]>();
    for (const [key, value] of new URLSearchParams(source)) {
      const seen = fields.get(key);
      if (seen === undefined) fields.set(key, value);
      else fields.set(key, Array.isArray(seen) ? [...seen, value] : [seen, value]);
    }
    return Object.fromEntries(fields);
  }
  // The intake refuses such bodies first; checked here too so no caller gets a value it cannot use.
  if (jsonTextTooDeep(source)) throw jsonTooDeep('The webhook body');
  try {
    return JSON.parse(source) as unknown;
  } catch (cause) {
    throw new PatchbayError('webhook_payload_invalid', 'the webhook body is not valid JSON', { cause });
  }
}
