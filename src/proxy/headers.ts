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

/** Headers the `/proxy/*` route takes from its client: also not Patchbay's own, nor cookies for Patchbay. */
export function clientHeadersForProvider(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || lower.startsWith('patchbay-') || lower === 'cookie') continue;
    result[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  const forwarded = forwardableRequestHeaders(result);
  // Kept for the caller, which sends it with a streamed body (and drops it otherwise).
  if (result['content-length'] !== undefined) forwarded['content-length'] = result['content-length'];
  return forwarded;
}

/** Provider response headers the `/proxy/*` route passes back: not hop-by-hop, never a cookie. */
export function forwardableResponseHeaders(
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // content-length stays: the body is passed on byte for byte (it is never decoded here).
    if (name !== 'content-length' && HOP_BY_HOP.has(name)) continue;
    if (name === 'set-cookie' || name === 'set-cookie2') continue;
    result[name] = value;
  }
  return result;
}

/** True for methods that may be repeated without changing the result (RFC 9110 §9.2.2). */
export function isIdempotent(method: string): boolean {
  return ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].includes(method);
}
