/**
 * Generic HMAC-SHA256 (Shopify, GitHub-style `x-hub-signature-256`, Slack, WooCommerce, Airtable,
 * Meta): the definition's `signedContent` names the signed bytes — `{body}` the raw body,
 * `{timestamp}` the timestamp header (unix seconds), `{url}` the full delivery URL, `{method}` the
 * upper-case method — and the digest is hex or base64, optionally behind a prefix (`sha256=`).
 */
import { createHmac } from 'node:crypto';
import type { WebhookVerification } from '../../../catalog/index.ts';
import type { IncomingDelivery, VerificationResult } from '../../types.ts';
import { decodeBase64, decodeHex, equalBytes } from '../compare.ts';
import { checkTimestamp, header, missingHeader, NO_SECRET, reject, SIGNATURE_MISMATCH } from '../result.ts';

type HmacVerification = WebhookVerification<'hmac_sha256'>;

/** The bytes a `signedContent` template stands for, the raw body copied in byte-exact. */
export function signedContent(
  template: string,
  parts: { body: Buffer; timestamp?: string | undefined; url: URL; method: string },
): Buffer {
  const chunks: Buffer[] = [];
  for (const piece of template.split(/(\{[a-z]+\})/)) {
    if (piece === '{body}') chunks.push(parts.body);
    else if (piece === '{timestamp}') chunks.push(Buffer.from(parts.timestamp ?? '', 'utf8'));
    else if (piece === '{url}') chunks.push(Buffer.from(parts.url.href, 'utf8'));
    else if (piece === '{method}') chunks.push(Buffer.from(parts.method.toUpperCase(), 'utf8'));
    else if (piece !== '') chunks.push(Buffer.from(piece, 'utf8'));
  }
  return Buffer.concat(chunks);
}

/** The HMAC key: the secret's UTF-8 bytes, or its base64 decoding (Airtable's macSecretBase64). */
export function hmacKey(verification: HmacVerification, secret: string): Buffer {
  return verification.secretEncoding === 'base64'
    ? Buffer.from(secret, 'base64')
    : Buffer.from(secret, 'utf8');
}

export function verifyHmacSha256(
  verification: HmacVerification,
  delivery: IncomingDelivery,
  secrets: readonly string[],
): VerificationResult {
  const value = header(delivery, verification.header);
  if (value === undefined) return missingHeader(verification.header);
  let timestamp: string | undefined;
  if (verification.timestampHeader !== undefined) {
    timestamp = header(delivery, verification.timestampHeader);
    if (timestamp === undefined) return missingHeader(verification.timestampHeader);
  }
  const prefix = verification.prefix ?? '';
  if (!value.startsWith(prefix)) {
    return reject(
      'webhook_signature_invalid',
      `the ${verification.header} header does not start with "${prefix}"`,
    );
  }
  const encoded = value.slice(prefix.length);
  const given = verification.encoding === 'hex' ? decodeHex(encoded) : decodeBase64(encoded);
  if (!given) {
    return reject(
      'webhook_signature_invalid',
      `the ${verification.header} header is not a ${verification.encoding} digest`,
    );
  }
  if (secrets.length === 0) return NO_SECRET;
  const signed = signedContent(verification.signedContent, {
    body: delivery.rawBody,
    timestamp,
    url: delivery.url,
    method: delivery.method,
  });
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', hmacKey(verification, secret)).update(signed).digest();
    if (equalBytes(given, expected)) matched = true;
  }
  if (!matched) return SIGNATURE_MISMATCH;
  if (timestamp !== undefined && verification.tolerance !== undefined) {
    return checkTimestamp(timestamp, delivery, verification.tolerance, 1000);
  }
  return { ok: true };
}
