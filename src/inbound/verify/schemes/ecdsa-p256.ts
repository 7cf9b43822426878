/**
 * ECDSA P-256 / SHA-256 (SendGrid signed event webhooks): the signature header is a base64 DER
 * signature over `{timestamp}{raw body}`, checked with the public key SendGrid shows (base64 DER
 * SubjectPublicKeyInfo; PEM is accepted too). The timestamp is in unix seconds.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { WebhookVerification } from '../../../catalog/index.ts';
import type { IncomingDelivery, VerificationResult } from '../../types.ts';
import { decodeBase64 } from '../compare.ts';
import { checkTimestamp, header, missingHeader, NO_SECRET, reject, SIGNATURE_MISMATCH } from '../result.ts';

/** The public key of a secret, or null when it is not a P-256 public key. */
export function ecdsaPublicKey(secret: string): KeyObject | null {
  try {
    const key = secret.trimStart().startsWith('-----BEGIN')
      ? createPublicKey(secret)
      : createPublicKey({ key: Buffer.from(secret, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
      ? key
      : null;
  } catch {
    return null;
  }
}

export function verifyEcdsaP256(
  verification: WebhookVerification<'ecdsa_p256'>,
  delivery: IncomingDelivery,
  secrets: readonly string[],
): VerificationResult {
  const value = header(delivery, verification.header);
  if (value === undefined) return missingHeader(verification.header);
  const timestamp = header(delivery, verification.timestampHeader);
  if (timestamp === undefined) return missingHeader(verification.timestampHeader);
  const signature = decodeBase64(value);
  if (!signature)
    return reject('webhook_signature_invalid', `the ${verification.header} header is not base64`);
  const keys = secrets.map(ecdsaPublicKey).filter((k): k is KeyObject => k !== null);
  if (keys.length === 0) return NO_SECRET;
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), delivery.rawBody]);
  let matched = false;
  for (const key of keys) {
    try {
      if (verify('sha256', signed, { key, dsaEncoding: 'der' }, signature)) matched = true;
    } catch {
      // A malformed DER signature is a mismatch, not a fault.
    }
  }
  if (!matched) return SIGNATURE_MISMATCH;
  return checkTimestamp(timestamp, delivery, verification.tolerance, 1000);
}
