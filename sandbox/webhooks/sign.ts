/**
 * Signing webhook deliveries the way a definition's scheme says providers do: the inverse of
 * every verifier in src/inbound/verify, for tests and provider sandboxes. Written apart from the
 * verifiers (it reads only the definition's parameters, never engine code) so that the two can
 * disagree when one of them is wrong. `signDelivery` returns the headers to send; `deliveryUrl`
 * returns the URL to send them to (it differs only for `url_token`, whose "signature" is the
 * token in the URL).
 */
import { createHash, createHmac, createPrivateKey, sign } from 'node:crypto';
import { providerApiStandIn } from './provider-api.ts';
import type { SigningRecipe } from './recipe.ts';

export interface SignOptions {
  body: string | Buffer;
  /**
   * The signing secret: the webhook secret for HMAC schemes, the URL token for `url_token`, the
   * private key (base64 DER PKCS#8, or PEM) for `ecdsa_p256`, the stand-in's secret for
   * `provider_api`.
   */
  secret: string;
  /** The delivery URL as registered with the provider (Square and HubSpot sign it). */
  url: string | URL;
  /** Default POST. */
  method?: string;
  /** Epoch ms of the delivery; converted to each scheme's unit (seconds, or ms where the definition says). */
  timestamp: number;
  /** Message id for Standard Webhooks and provider stand-ins; default derived from the body and timestamp. */
  id?: string;
  /** For `provider_api`: the provider whose stand-in signs (sandbox/webhooks/provider-api.ts). */
  provider?: string;
  /** For `provider_api`: the connection config the definition's request reads (PayPal's webhook id). */
  connectionConfig?: Record<string, string>;
}

function bytes(body: string | Buffer): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function defaultId(body: Buffer, timestamp: number): string {
  return `msg_${createHash('sha256').update(body).update(String(timestamp)).digest('hex').slice(0, 24)}`;
}

/** The key bytes of a secret under a definition's `secretEncoding`. */
function keyOf(secret: string, encoding: 'utf8' | 'base64' | 'whsec_base64'): Buffer {
  if (encoding === 'base64') return Buffer.from(secret, 'base64');
  if (encoding === 'whsec_base64' && secret.startsWith('whsec_'))
    return Buffer.from(secret.slice(6), 'base64');
  return Buffer.from(secret, 'utf8');
}

/** `text` with the percent-encodings of the listed characters decoded, in one pass (HubSpot's signed URI). */
function decodeListed(text: string, characters: string): string {
  return text.replace(/%([0-9a-f]{2})/gi, (encoded, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return characters.includes(character) ? character : encoded;
  });
}

function hmacHeaders(
  v: Extract<SigningRecipe, { scheme: 'hmac' }>,
  options: SignOptions,
  body: Buffer,
): Record<string, string> {
  const url = new URL(options.url);
  const time =
    v.timestamp?.unit === 'ms'
      ? String(Math.floor(options.timestamp))
      : String(Math.floor(options.timestamp / 1000));
  const parts = new Map<string, Buffer>([
    ['{body}', body],
    ['{timestamp}', Buffer.from(time)],
    ['{url}', Buffer.from(v.urlDecode ? decodeListed(url.href, v.urlDecode) : url.href)],
    ['{method}', Buffer.from((options.method ?? 'POST').toUpperCase())],
  ]);
  const signed = Buffer.concat(
    v.signedContent.split(/(\{[a-z]+\})/).map((piece) => parts.get(piece) ?? Buffer.from(piece)),
  );
  const digest = createHmac(v.algorithm, keyOf(options.secret, v.secretEncoding))
    .update(signed)
    .digest(v.encoding);
  const headers: Record<string, string> = {};
  if (v.signature.format === 'value') headers[v.header] = `${v.signature.prefix ?? ''}${digest}`;
  else {
    const items = v.timestamp?.from === 'signature' ? [`${v.timestamp.key}=${time}`] : [];
    headers[v.header] = [...items, `${v.signature.key}=${digest}`].join(v.signature.separator);
  }
  if (v.timestamp?.from === 'header') headers[v.timestamp.header] = time;
  return headers;
}

/** The headers a provider would send with this body. */
export function signDelivery(verification: SigningRecipe, options: SignOptions): Record<string, string> {
  const body = bytes(options.body);
  const seconds = String(Math.floor(options.timestamp / 1000));
  const id = options.id ?? defaultId(body, options.timestamp);
  switch (verification.scheme) {
    case 'hmac':
      return hmacHeaders(verification, options, body);
    case 'standard_webhooks': {
      const p = verification.headerPrefix;
      const signed = Buffer.concat([Buffer.from(`${id}.${seconds}.`), body]);
      const digest = createHmac('sha256', keyOf(options.secret, 'whsec_base64'))
        .update(signed)
        .digest('base64');
      return { [`${p}-id`]: id, [`${p}-timestamp`]: seconds, [`${p}-signature`]: `v1,${digest}` };
    }
    case 'provider_api':
      return providerApiStandIn(options.provider).sign({
        body,
        secret: options.secret,
        id,
        timestamp: options.timestamp,
        connectionConfig: options.connectionConfig ?? {},
      });
    case 'url_token':
      return {};
    case 'ecdsa_p256': {
      const key = options.secret.trimStart().startsWith('-----BEGIN')
        ? createPrivateKey(options.secret)
        : createPrivateKey({ key: Buffer.from(options.secret, 'base64'), format: 'der', type: 'pkcs8' });
      const signature = sign('sha256', Buffer.concat([Buffer.from(seconds), body]), {
        key,
        dsaEncoding: 'der',
      });
      return { [verification.header]: signature.toString('base64'), [verification.timestampHeader]: seconds };
    }
  }
}

/** The URL to deliver to: for `url_token`, `url` with the token placed as the scheme says. */
export function deliveryUrl(verification: SigningRecipe, url: string | URL, secret: string): URL {
  const result = new URL(url);
  if (verification.scheme !== 'url_token') return result;
  if (verification.location === 'query') result.searchParams.set(verification.param, secret);
  else result.pathname = `${result.pathname.replace(/\/+$/, '')}/${encodeURIComponent(secret)}`;
  return result;
}
