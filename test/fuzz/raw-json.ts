/**
 * JSON values that may hold bytes JSON.stringify cannot write: a `RawJson` leaf is copied into the
 * encoded body as it is — nesting thousands of levels deep, a number of 400 digits, a string with
 * invalid UTF-8 inside its quotes. Everything else is encoded as JSON.stringify would.
 */

/** A leaf written verbatim into the encoded JSON. `label` names it in failure reports. */
export class RawJson {
  readonly bytes: Buffer;
  readonly label: string;
  constructor(bytes: Buffer | string, label: string) {
    this.bytes = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    this.label = label;
  }
}

/** Encodes `value` as JSON bytes, copying RawJson leaves verbatim. */
export function encodeJson(value: unknown): Buffer {
  const parts: Buffer[] = [];
  write(value, parts);
  return Buffer.concat(parts);
}

function write(value: unknown, parts: Buffer[]): void {
  if (value instanceof RawJson) {
    parts.push(value.bytes);
    return;
  }
  if (Array.isArray(value)) {
    parts.push(Buffer.from('['));
    value.forEach((item, index) => {
      if (index > 0) parts.push(Buffer.from(','));
      write(item === undefined ? null : item, parts);
    });
    parts.push(Buffer.from(']'));
    return;
  }
  if (value !== null && typeof value === 'object') {
    parts.push(Buffer.from('{'));
    let first = true;
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      if (!first) parts.push(Buffer.from(','));
      first = false;
      parts.push(Buffer.from(`${JSON.stringify(key)}:`));
      write(child, parts);
    }
    parts.push(Buffer.from('}'));
    return;
  }
  // undefined at the top level or a function: not JSON; `null` keeps the text well-formed.
  parts.push(Buffer.from(JSON.stringify(value) ?? 'null'));
}

/** A short description of a value for failure reports: RawJson leaves by label, long strings cut. */
export function describeValue(value: unknown, limit = 600): string {
  const text = JSON.stringify(value, (_key, child: unknown) => {
    if (child instanceof RawJson) return `<raw ${child.label}, ${child.bytes.length} bytes>`;
    if (typeof child === 'string' && child.length > 80) {
      return `${child.slice(0, 60)}…<${child.length} chars>`;
    }
    return child;
  });
  if (text === undefined) return String(value);
  return text.length > limit ? `${text.slice(0, limit)}…<${text.length} chars>` : text;
}
