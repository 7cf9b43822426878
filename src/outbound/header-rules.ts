/**
 * What an endpoint's custom header may be: one home for the rules, used where headers are saved
 * (endpoints-validate.ts) and where deliveries are built (delivery/request.ts), so a header that
 * is accepted is one every delivery can send.
 */

/** An RFC 9110 token of at most 100 characters: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/**
 * Visible ASCII, spaces and tabs. The HTTP client refuses control characters (CR/LF/NUL would
 * split the request) and anything past Latin-1, and sends Latin-1 bytes as they are, which a
 * receiver reading UTF-8 would garble; only ASCII arrives as it was saved.
 */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/**
 * Headers the delivery sets itself (the body's framing and type, the signature's `webhook-*`, its
 * user agent) or that belong to the connection, not the message: a custom header cannot set them.
 * (`authorization` is allowed: receivers commonly require one.)
 */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'user-agent',
]);

export function isHeaderName(name: string): boolean {
  // `__proto__` is a token, but a header of that name never arrives: assigning it into a plain
  // object (the HTTP client's header map, the receiver's) sets the prototype instead of a key.
  return HEADER_NAME.test(name) && name.toLowerCase() !== '__proto__';
}

export function isHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}

/** `lowerName` is set by the delivery or the connection; `webhook-*` is Standard Webhooks' own. */
export function isReservedHeader(lowerName: string): boolean {
  return RESERVED_HEADERS.has(lowerName) || lowerName.startsWith('webhook-');
}
