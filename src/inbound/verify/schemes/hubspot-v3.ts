/**
 * HubSpot v3 (developers.hubspot.com, "Validating requests"): base64 HMAC-SHA256, keyed by the
 * app's client secret, of `{METHOD}{URI}{raw body}{timestamp}` where the timestamp header is in
 * epoch milliseconds and requests older than 5 minutes are refused. In the URI, HubSpot decodes
 * the percent-encodings of `: / ? @ ! $ ' ( ) * , ;` before signing, and only those.
 */
import { createHmac } from 'node:crypto';
import type { WebhookVerification } from '../../../catalog/index.ts';
import type { IncomingDelivery, VerificationResult } from '../../types.ts';
import { decodeBase64, equalBytes } from '../compare.ts';
import { checkTimestamp, header, missingHeader, NO_SECRET, reject, SIGNATURE_MISMATCH } from '../result.ts';

const DECODED: Readonly<Record<string, string>> = {
  '3A': ':',
  '2F': '/',
  '3F': '?',
  '40': '@',
  '21': '!',
  '24': '$',
  '27': "'",
  '28': '(',
  '29': ')',
  '2A': '*',
  '2C': ',',
  '3B': ';',
};

/** The URI as HubSpot signs it: the listed percent-encodings decoded, in one pass. */
export function hubspotUri(url: URL): string {
  return url.href.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (_m, hex: string) => DECODED[hex.toUpperCase()] ?? _m,
  );
}

/** The bytes HubSpot v3 signs. */
export function hubspotSignedContent(method: string, url: URL, body: Buffer, timestamp: string): Buffer {
  return Buffer.concat([
    Buffer.from(`${method.toUpperCase()}${hubspotUri(url)}`, 'utf8'),
    body,
    Buffer.from(timestamp, 'utf8'),
  ]);
}

export function verifyHubspotV3(
  verification: WebhookVerification<'hubspot_v3'>,
  delivery: IncomingDelivery,
  secrets: readonly string[],
): VerificationResult {
  const value = header(delivery, verification.header);
  if (value === undefined) return missingHeader(verification.header);
  const timestamp = header(delivery, verification.timestampHeader);
  if (timestamp === undefined) return missingHeader(verification.timestampHeader);
  const given = decodeBase64(value);
  if (!given) return reject('webhook_signature_invalid', `the ${verification.header} header is not base64`);
  if (secrets.length === 0) return NO_SECRET;
  const signed = hubspotSignedContent(delivery.method, delivery.url, delivery.rawBody, timestamp);
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signed).digest();
    if (equalBytes(given, expected)) matched = true;
  }
  if (!matched) return SIGNATURE_MISMATCH;
  return checkTimestamp(timestamp, delivery, verification.tolerance, 1);
}
