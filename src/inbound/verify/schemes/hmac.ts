/**
 * The generic `hmac` scheme (src/catalog/hmac-scheme.ts): Stripe, Shopify, GitHub, Slack,
 * WooCommerce, Square, HubSpot v3 and any provider's own recipe are parameters of this one
 * verifier. It reads the signature(s) out of the header (whole value after a prefix, or every
 * `key=` item of a list), the timestamp from its header or the list, computes the HMAC of the
 * signed content with each candidate secret and compares in constant time; a signature that
 * matches is then held against the timestamp tolerance.
 */
import { createHmac } from 'node:crypto';
import type { WebhookVerification } from '../../../catalog/index.ts';
import type { IncomingDelivery, VerificationResult } from '../../types.ts';
import { anyEqual, decodeBase64, decodeHex } from '../compare.ts';
import { checkTimestamp, header, missingHeader, NO_SECRET, reject, SIGNATURE_MISMATCH } from '../result.ts';
import { hmacKey, signedContent, signedUrl } from './signed-content.ts';

type HmacVerification = WebhookVerification<'hmac'>;

interface ReadSignature {
  signatures: Buffer[];
  /** The timestamp item of a list, when the definition takes it from there. */
  timestamp?: string | undefined;
}

function decode(v: HmacVerification, text: string): Buffer | null {
  return v.encoding === 'hex' ? decodeHex(text) : decodeBase64(text);
}

/** The candidate signatures of a header value, or the rejection saying why there are none. */
export function readSignature(v: HmacVerification, value: string): ReadSignature | VerificationResult {
  if (v.signature.format === 'value') {
    const prefix = v.signature.prefix ?? '';
    if (!value.startsWith(prefix)) {
      return reject('webhook_signature_invalid', `the ${v.header} header does not start with "${prefix}"`);
    }
    const digest = decode(v, value.slice(prefix.length));
    if (!digest)
      return reject('webhook_signature_invalid', `the ${v.header} header is not a ${v.encoding} digest`);
    return { signatures: [digest] };
  }
  const timestampKey = v.timestamp?.from === 'signature' ? v.timestamp.key : undefined;
  const read: ReadSignature = { signatures: [] };
  for (const part of value.split(v.signature.separator)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const item = part.slice(eq + 1).trim();
    if (key === timestampKey && read.timestamp === undefined) read.timestamp = item;
    else if (key === v.signature.key) {
      // An item that does not decode is skipped: another may still match.
      const digest = decode(v, item);
      if (digest) read.signatures.push(digest);
    }
  }
  if (read.signatures.length === 0 || (timestampKey !== undefined && read.timestamp === undefined)) {
    const needs = timestampKey === undefined ? '' : `${timestampKey}= or no `;
    return reject(
      'webhook_signature_invalid',
      `the ${v.header} header has no ${needs}${v.signature.key}= ${v.encoding} signature`,
    );
  }
  return read;
}

export function verifyHmac(
  v: HmacVerification,
  delivery: IncomingDelivery,
  secrets: readonly string[],
): VerificationResult {
  const value = header(delivery, v.header);
  if (value === undefined) return missingHeader(v.header);
  let timestamp: string | undefined;
  if (v.timestamp?.from === 'header') {
    timestamp = header(delivery, v.timestamp.header);
    if (timestamp === undefined) return missingHeader(v.timestamp.header);
  }
  const read = readSignature(v, value);
  if (!('signatures' in read)) return read;
  timestamp ??= read.timestamp;
  if (secrets.length === 0) return NO_SECRET;
  const signed = signedContent(v.signedContent, {
    body: delivery.rawBody,
    timestamp,
    url: signedUrl(delivery.url, v.urlDecode),
    method: delivery.method,
  });
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac(v.algorithm, hmacKey(secret, v.secretEncoding)).update(signed).digest();
    if (anyEqual(read.signatures, expected)) matched = true;
  }
  if (!matched) return SIGNATURE_MISMATCH;
  if (v.timestamp !== undefined && timestamp !== undefined) {
    return checkTimestamp(timestamp, delivery, v.timestamp.tolerance, v.timestamp.unit === 'ms' ? 1 : 1000);
  }
  return { ok: true };
}
