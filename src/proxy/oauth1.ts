/**
 * OAuth 1.0a request signing (RFC 5849), as APIs that take a consumer key and secret over plain
 * HTTP use it: WooCommerce signs "one-legged" (no token) with HMAC-SHA256, the parameters in the
 * query string. The signature covers the method, the base string URI and every parameter (query,
 * form body, protocol parameters), each percent-encoded the RFC's way, so a changed byte of any of
 * them fails at the provider. Each attempt of a call is signed afresh: providers refuse a nonce
 * they have seen (WooCommerce keeps them 15 minutes), and a retry must not reuse one.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** The signature methods offered: HMAC-SHA1 is RFC 5849's own, HMAC-SHA256 WooCommerce's. */
export type OAuth1SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256';

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  /** Three-legged flows only; one-legged signing leaves both out (the key ends with `&`). */
  token?: string;
  tokenSecret?: string;
}

export interface OAuth1Signing {
  method: string;
  url: URL;
  /** `application/x-www-form-urlencoded` body parameters, which RFC 5849 §3.4.1.3.1 signs too. */
  formBody?: string;
  signatureMethod: OAuth1SignatureMethod;
  /** Seconds since the epoch. */
  timestamp: number;
  nonce: string;
}

/** RFC 5849 §3.6: every byte but ALPHA, DIGIT, `-`, `.`, `_` and `~` as `%XX`, upper-case hex. */
export function oauthEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** RFC 5849 §3.4.1.2: scheme and host lower-case, the port only when not the scheme's default, no query. */
export function baseStringUri(url: URL): string {
  // WHATWG URL already lower-cases scheme and host and drops a default port.
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Decodes an `application/x-www-form-urlencoded` string into pairs, `+` as a space (§3.4.1.3.1). */
function formPairs(text: string): Array<[string, string]> {
  return [...new URLSearchParams(text)];
}

/** RFC 5849 §3.4.1.3.2: the parameters encoded, sorted by name then value, joined with `=` and `&`. */
export function normalizedParameters(pairs: ReadonlyArray<readonly [string, string]>): string {
  const encoded = pairs.map(([name, value]) => [oauthEncode(name), oauthEncode(value)] as const);
  encoded.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return encoded.map(([name, value]) => `${name}=${value}`).join('&');
}

/** The protocol parameters of one request (without `oauth_signature`). */
export function protocolParameters(
  credentials: OAuth1Credentials,
  signing: OAuth1Signing,
): Array<[string, string]> {
  return [
    ['oauth_consumer_key', credentials.consumerKey],
    ['oauth_nonce', signing.nonce],
    ['oauth_signature_method', signing.signatureMethod],
    ['oauth_timestamp', String(signing.timestamp)],
    ...(credentials.token === undefined ? [] : [['oauth_token', credentials.token] as [string, string]]),
    ['oauth_version', '1.0'],
  ];
}

/** RFC 5849 §3.4.1.1: `METHOD&encoded base URI&encoded normalized parameters`. */
export function signatureBaseString(
  method: string,
  url: URL,
  parameters: ReadonlyArray<readonly [string, string]>,
): string {
  return [
    method.toUpperCase(),
    oauthEncode(baseStringUri(url)),
    oauthEncode(normalizedParameters(parameters)),
  ].join('&');
}

/** RFC 5849 §3.4.2: base64 HMAC of the base string, keyed with `consumerSecret&tokenSecret` (each encoded). */
export function oauthSignature(
  baseString: string,
  credentials: Pick<OAuth1Credentials, 'consumerSecret' | 'tokenSecret'>,
  signatureMethod: OAuth1SignatureMethod,
): string {
  const key = `${oauthEncode(credentials.consumerSecret)}&${oauthEncode(credentials.tokenSecret ?? '')}`;
  const algorithm = signatureMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256';
  return createHmac(algorithm, key).update(baseString).digest('base64');
}

/**
 * Signs a request into its query string (RFC 5849 §3.5.3): the protocol parameters and
 * `oauth_signature` are appended to `signing.url`'s query, in a copy. Query parameters already
 * named `oauth_*` are the caller's mistake and are replaced.
 */
export function signedUrl(credentials: OAuth1Credentials, signing: OAuth1Signing): URL {
  const url = new URL(signing.url);
  for (const name of [...url.searchParams.keys()])
    if (name.startsWith('oauth_')) url.searchParams.delete(name);
  const protocol = protocolParameters(credentials, signing);
  const parameters: Array<readonly [string, string]> = [
    ...url.searchParams,
    ...(signing.formBody === undefined ? [] : formPairs(signing.formBody)),
    ...protocol,
  ];
  const signature = oauthSignature(
    signatureBaseString(signing.method, url, parameters),
    credentials,
    signing.signatureMethod,
  );
  for (const [name, value] of protocol) url.searchParams.append(name, value);
  url.searchParams.append('oauth_signature', signature);
  return url;
}

/** A nonce: 16 random bytes, hex (unique per request, as RFC 5849 §3.3 asks). */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}
