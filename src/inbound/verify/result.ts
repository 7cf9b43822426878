/** Building verification results, and reading the request parts every scheme needs. */
import type { IncomingDelivery, RejectionCode, VerificationResult } from '../types.ts';

export const OK: VerificationResult = Object.freeze({ ok: true });

export function reject(code: RejectionCode, message: string): VerificationResult {
  return { ok: false, code, message };
}

/** A header's value, or undefined when absent or blank (headers are lower-cased by the intake). */
export function header(delivery: IncomingDelivery, name: string): string | undefined {
  const value = delivery.headers[name]?.trim();
  return value ? value : undefined;
}

export function missingHeader(name: string): VerificationResult {
  return reject('webhook_signature_missing', `the ${name} header is missing; the delivery is not signed`);
}

export const SIGNATURE_MISMATCH = reject(
  'webhook_signature_invalid',
  'the signature does not match the body with any configured secret; check the webhook secret',
);

export const NO_SECRET = reject(
  'webhook_signature_invalid',
  'no webhook secret is configured, so no signature can match; set the webhook secret',
);

/**
 * Checks a timestamp header against the delivery's receipt time, both ways (a clock far ahead is
 * as suspect as a replay). `unitMs` is 1000 for seconds, 1 for milliseconds.
 */
export function checkTimestamp(
  value: string,
  delivery: IncomingDelivery,
  toleranceSeconds: number,
  unitMs: 1 | 1000,
): VerificationResult {
  if (!/^\d{1,16}$/.test(value)) {
    return reject('webhook_timestamp_invalid', 'the signed timestamp is not a number');
  }
  const at = Number(value) * unitMs;
  if (Math.abs(delivery.receivedAt - at) > toleranceSeconds * 1000) {
    return reject(
      'webhook_timestamp_invalid',
      `the signed timestamp is more than ${toleranceSeconds} s away from now; replays and badly skewed clocks are refused`,
    );
  }
  return OK;
}
