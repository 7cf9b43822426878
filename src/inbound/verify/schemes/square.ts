/**
 * Square: `x-square-hmacsha256-signature` is the base64 HMAC-SHA256, keyed by the subscription's
 * signature key, of the notification URL exactly as registered followed by the raw body. Square
 * signs no timestamp, so there is nothing to hold a replay against beyond dedupe by event id.
 */
import { createHmac } from 'node:crypto';
import type { WebhookVerification } from '../../../catalog/index.ts';
import type { IncomingDelivery, VerificationResult } from '../../types.ts';
import { decodeBase64, equalBytes } from '../compare.ts';
import { header, missingHeader, NO_SECRET, OK, reject, SIGNATURE_MISMATCH } from '../result.ts';

export function squareSignedContent(url: URL, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(url.href, 'utf8'), body]);
}

export function verifySquare(
  verification: WebhookVerification<'square'>,
  delivery: IncomingDelivery,
  secrets: readonly string[],
): VerificationResult {
  const value = header(delivery, verification.header);
  if (value === undefined) return missingHeader(verification.header);
  const given = decodeBase64(value);
  if (!given) return reject('webhook_signature_invalid', `the ${verification.header} header is not base64`);
  if (secrets.length === 0) return NO_SECRET;
  const signed = squareSignedContent(delivery.url, delivery.rawBody);
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signed).digest();
    if (equalBytes(given, expected)) matched = true;
  }
  return matched ? OK : SIGNATURE_MISMATCH;
}
