/**
 * Standard Webhooks (https://www.standardwebhooks.com), also under Svix's `svix-*` header names:
 * `{prefix}-signature` holds space-separated `v1,<base64 HMAC-SHA256>` entries over
 * `{id}.{timestamp}.{raw body}`. A `whsec_` secret is the base64 key after the prefix; any other
 * secret is used as its UTF-8 bytes.
 */
import { createHmac } from 'node:crypto';
import type { WebhookVerification } from '../../../catalog/index.ts';
import type { IncomingDelivery, VerificationResult } from '../../types.ts';
import { anyEqual, decodeBase64 } from '../compare.ts';
import { checkTimestamp, header, missingHeader, NO_SECRET, reject, SIGNATURE_MISMATCH } from '../result.ts';
import { hmacKey } from './signed-content.ts';

export function verifyStandardWebhooks(
  verification: WebhookVerification<'standard_webhooks'>,
  delivery: IncomingDelivery,
  secrets: readonly string[],
): VerificationResult {
  const prefix = verification.headerPrefix;
  const names = { id: `${prefix}-id`, timestamp: `${prefix}-timestamp`, signature: `${prefix}-signature` };
  const id = header(delivery, names.id);
  if (id === undefined) return missingHeader(names.id);
  const timestamp = header(delivery, names.timestamp);
  if (timestamp === undefined) return missingHeader(names.timestamp);
  const value = header(delivery, names.signature);
  if (value === undefined) return missingHeader(names.signature);

  const signatures: Buffer[] = [];
  for (const entry of value.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const digest = decodeBase64(entry.slice(comma + 1));
    if (digest) signatures.push(digest);
  }
  if (signatures.length === 0) {
    return reject('webhook_signature_invalid', `the ${names.signature} header has no v1,<base64> signature`);
  }
  if (secrets.length === 0) return NO_SECRET;
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), delivery.rawBody]);
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', hmacKey(secret, 'whsec_base64')).update(signed).digest();
    if (anyEqual(signatures, expected)) matched = true;
  }
  if (!matched) return SIGNATURE_MISMATCH;
  return checkTimestamp(timestamp, delivery, verification.tolerance, 1000);
}
