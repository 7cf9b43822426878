/**
 * The store's side of OAuth 1.0a one-legged authentication, as WooCommerce documents it for
 * plain-HTTP stores (https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http):
 * the consumer key, timestamp, nonce, signature method (HMAC-SHA1 or HMAC-SHA256) and signature
 * in the query string; the signature over RFC 5849's base string of the method, the URL without
 * its query and every other parameter, keyed with `consumer_secret&`; a timestamp within 15
 * minutes and a nonce not seen before for the key. Query parameters are read as PHP reads
 * them (a repeated name keeps its last value), which the official SDK's signing relies on. Written from the RFC and those docs, for the
 * emulator alone.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const WINDOW_SECONDS = 15 * 60;

/** RFC 3986 unreserved characters stay, everything else is `%XX` (upper-case). */
function rfc3986(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export type OAuthCheck =
  | { ok: true; consumerKey: string }
  | { ok: false; code: 'woocommerce_rest_authentication_error'; message: string };

/**
 * Checks the signed request; `secretOf` answers a consumer key's secret (or undefined), `seen`
 * records nonces (answering false for one already used).
 */
export function checkOAuth1(
  method: string,
  url: URL,
  nowSeconds: number,
  secretOf: (key: string) => string | undefined,
  seen: (key: string, nonce: string, timestamp: number) => boolean,
): OAuthCheck {
  // PHP reads the query into a map: a name given twice keeps its last value, signed once.
  const params = [...new Map(url.searchParams)];
  const get = (name: string) => params.find(([key]) => key === name)?.[1];
  const fail = (message: string): OAuthCheck => ({
    ok: false,
    code: 'woocommerce_rest_authentication_error',
    message,
  });
  for (const name of [
    'oauth_consumer_key',
    'oauth_timestamp',
    'oauth_nonce',
    'oauth_signature',
    'oauth_signature_method',
  ]) {
    if (get(name) === undefined) return fail(`Missing OAuth parameter ${name}`);
  }
  const key = get('oauth_consumer_key') as string;
  const secret = secretOf(key);
  if (secret === undefined) return fail('Consumer key is invalid.');
  const algorithm = { 'HMAC-SHA1': 'sha1', 'HMAC-SHA256': 'sha256' }[get('oauth_signature_method') as string];
  if (!algorithm) return fail('Invalid signature method - must be HMAC-SHA1 or HMAC-SHA256.');
  const timestamp = Number(get('oauth_timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > WINDOW_SECONDS) {
    return fail('Invalid timestamp.');
  }
  const normalized = params
    .filter(([name]) => name !== 'oauth_signature')
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    // By name, then by value (RFC 5849 §3.4.1.3.2): "a" sorts before "a2" whatever follows.
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const base = `${method.toUpperCase()}&${rfc3986(`${url.protocol}//${url.host}${url.pathname}`)}&${rfc3986(normalized)}`;
  const expected = createHmac(algorithm, `${rfc3986(secret)}&`)
    .update(base)
    .digest();
  const given = Buffer.from(get('oauth_signature') as string, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail('Invalid signature - provided signature does not match.');
  }
  if (!seen(key, get('oauth_nonce') as string, timestamp)) {
    return fail('Invalid nonce - nonce has already been used.');
  }
  return { ok: true, consumerKey: key };
}
