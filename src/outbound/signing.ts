/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>`, signed with HMAC-SHA256 keyed by the base64-decoded
 * part of the `whsec_…` secret, sent as `v1,<base64 signature>`; several signatures are
 * space-separated (during a secret rotation both secrets sign).
 */
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { PatchbayError } from '../errors/index.ts';

const SECRET_PREFIX = 'whsec_';
/** 24–64 random bytes is the Standard Webhooks range; 32 is what we generate. */
const SECRET_BYTES = 32;

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function generateEndpointSecret(random: (size: number) => Buffer = randomBytes): string {
  return `${SECRET_PREFIX}${random(SECRET_BYTES).toString('base64')}`;
}

/** The HMAC key of a `whsec_…` secret; throws `validation_failed` for anything else. */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : '';
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length < 24 || key.length > 64) {
    throw new PatchbayError(
      'validation_failed',
      'An endpoint secret is "whsec_" followed by the base64 of 24 to 64 random bytes',
    );
  }
  return key;
}

export interface SignatureInput {
  /** The message id, sent as `webhook-id`: receivers deduplicate on it. */
  id: string;
  /** Unix seconds, sent as `webhook-timestamp`. */
  timestamp: number;
  /** The exact body bytes that are sent. */
  body: string;
  /** Every secret that signs: the current one first, then one still in its rotation grace period. */
  secrets: readonly string[];
}

/** The three Standard Webhooks headers for one attempt. */
export function signatureHeaders(
  input: SignatureInput,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const content = `${input.id}.${input.timestamp}.${input.body}`;
  // Keyed through a KeyObject made for this signature (nothing is kept): on Node 24, createHmac
  // given a raw Buffer key costs several times more than making the KeyObject and passing that.
  const signatures = input.secrets.map(
    (secret) =>
      `v1,${createHmac('sha256', createSecretKey(secretKey(secret)))
        .update(content, 'utf8')
        .digest('base64')}`,
  );
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signatures.join(' '),
  };
}
