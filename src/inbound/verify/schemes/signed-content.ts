/**
 * The bytes an `hmac` definition says are signed, from its `signedContent` template, and the key
 * a secret stands for. The raw body is copied in byte-exact: never decoded, never re-serialized.
 */

/** The parts of a delivery a template may name. */
export interface SignedParts {
  body: Buffer;
  timestamp?: string | undefined;
  /** The delivery URL as the provider signs it (see `signedUrl`). */
  url: string;
  method: string;
}

/** The bytes `template` stands for: `{body}`, `{timestamp}`, `{url}`, `{method}` (upper case) and literal text. */
export function signedContent(template: string, parts: SignedParts): Buffer {
  const chunks: Buffer[] = [];
  for (const piece of template.split(/(\{[a-z]+\})/)) {
    if (piece === '{body}') chunks.push(parts.body);
    else if (piece === '{timestamp}') chunks.push(Buffer.from(parts.timestamp ?? '', 'utf8'));
    else if (piece === '{url}') chunks.push(Buffer.from(parts.url, 'utf8'));
    else if (piece === '{method}') chunks.push(Buffer.from(parts.method.toUpperCase(), 'utf8'));
    else if (piece !== '') chunks.push(Buffer.from(piece, 'utf8'));
  }
  return Buffer.concat(chunks);
}

function percentCode(character: string): string {
  return character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
}

/**
 * The URL as signed: `url.href`, with the percent-encodings of `decode`'s characters (if any)
 * decoded in one pass, in either hex case — HubSpot v3 signs `%3A` as `:` but leaves `%20` alone.
 */
export function signedUrl(url: URL, decode: string | undefined): string {
  if (decode === undefined || decode === '') return url.href;
  const codes = new Map([...decode].map((character) => [percentCode(character), character]));
  return url.href.replace(
    /%([0-9A-Fa-f]{2})/g,
    (match, hex: string) => codes.get(hex.toUpperCase()) ?? match,
  );
}

/**
 * The HMAC key a secret stands for: its UTF-8 bytes, its base64 decoding (Airtable's
 * macSecretBase64), or for `whsec_base64` the base64 after a `whsec_` prefix (a secret without the
 * prefix is used as UTF-8, as Standard Webhooks libraries do).
 */
export function hmacKey(secret: string, encoding: 'utf8' | 'base64' | 'whsec_base64'): Buffer {
  if (encoding === 'base64') return Buffer.from(secret, 'base64');
  if (encoding === 'whsec_base64' && secret.startsWith('whsec_'))
    return Buffer.from(secret.slice(6), 'base64');
  return Buffer.from(secret, 'utf8');
}
