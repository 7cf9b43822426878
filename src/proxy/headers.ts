/**
 * Which headers cross the proxy. Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection
 * and never travel further; auth comes only from the provider definition, so a caller's
 * `authorization` never reaches the provider; Patchbay's own `patchbay-*` headers stay here.
 */

/** Connection-specific headers, plus those the HTTP client computes itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/** Lower-cased request headers a caller may send to the provider. */
export function forwardableRequestHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || lower === 'authorization') continue;
    result[lower] = value;
  }
  return result;
}

/**
 * Headers the `/proxy/*` route takes from its client: also not Patchbay's own, nor cookies for
 * Patchbay. Node has lower-cased the names already; one pass, as this runs on every proxied call.
 */
export function clientHeadersForProvider(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower.startsWith('patchbay-') || lower === 'cookie' || lower === 'authorization') continue;
    // content-length is kept for the caller, which sends it with a streamed body (and drops it
    // otherwise); the other hop-by-hop headers stay here.
    if (lower !== 'content-length' && HOP_BY_HOP.has(lower)) continue;
    result[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

/**
 * Provider response headers the `/proxy/*` route passes back: not hop-by-hop, never a cookie,
 * nor any named in `omit` (lower-cased).
 */
export function forwardableResponseHeaders(
  headers: Readonly<Record<string, string>>,
  omit?: string,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in headers) {
    // content-length stays: the body is passed on byte for byte (it is never decoded here).
    if (name !== 'content-length' && HOP_BY_HOP.has(name)) continue;
    if (name === 'set-cookie' || name === 'set-cookie2' || name === omit) continue;
    result[name] = headers[name]!;
  }
  return result;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** True for methods that may be repeated without changing the result (RFC 9110 §9.2.2). */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}
