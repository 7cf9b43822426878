/**
 * Verification of the webhooks Patchbay sends, by the Standard Webhooks scheme
 * (https://www.standardwebhooks.com): `webhook-signature` holds one or more space-separated
 * `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<raw body>`, keyed by the base64
 * part of the endpoint's `whsec_…` secret. Server-side only (node:crypto); no dependency on the
 * engine.
 *
 * node:crypto is loaded when a webhook is verified, not imported: the SDK's entry also serves
 * browser bundles (for connect()), where a Node built-in must not appear.
 */

/** Why a webhook was refused; branch on it. */
export type WebhookVerificationErrorCode =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_out_of_tolerance'
  | 'invalid_signature'
  | 'invalid_payload';

/** A webhook that is not proven to come from Patchbay: answer it with a 4xx and do not act on it. */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationErrorCode;
  constructor(code: WebhookVerificationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/** The headers of the incoming request: a Fetch `Headers`, or Node's `req.headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, either way, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The current time in epoch milliseconds; default Date.now(). */
  now?: number;
}

const DEFAULT_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = 'whsec_';
const SIGNATURE_BYTES = 32;

/**
 * Verifies a webhook from Patchbay and returns its parsed body (`{ type, timestamp, data }`).
 * Pass the raw body exactly as received, never re-serialized JSON. Throws
 * WebhookVerificationError when the headers are missing, the timestamp is malformed or further
 * than the tolerance from now, or no signature matches the secret.
 *
 * @example
 * app.post('/webhooks/patchbay', express.raw({ type: 'application/json' }), (req, res) => {
 *   const event = verifyWebhook(req.body, req.headers, process.env.PATCHBAY_WEBHOOK_SECRET!);
 *   res.sendStatus(204);
 * });
 */
export function verifyWebhook<T = unknown>(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): T {
  const { createHmac, timingSafeEqual } = nodeCrypto();
  const key = keyOf(secret);
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || timestampText === undefined || signatures === undefined) {
    throw new WebhookVerificationError(
      'missing_headers',
      'The webhook-id, webhook-timestamp and webhook-signature headers are required',
    );
  }
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp is not a number of seconds');
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      `webhook-timestamp is more than ${tolerance} seconds from now; check the receiver's clock, or this is a replay`,
    );
  }

  const bytes =
    typeof body === 'string'
      ? Buffer.from(body, 'utf8')
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const expected = createHmac('sha256', key).update(`${id}.${timestampText}.`, 'utf8').update(bytes).digest();
  // Space-separated; a repeated header read through Fetch Headers arrives joined by ", ".
  const matched = signatures.split(' ').some((joined) => {
    const entry = joined.endsWith(',') ? joined.slice(0, -1) : joined;
    const comma = entry.indexOf(',');
    if (comma === -1 || entry.slice(0, comma) !== 'v1') return false;
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    // timingSafeEqual needs equal lengths; the length of a signature is not a secret.
    return given.length === SIGNATURE_BYTES && timingSafeEqual(given, expected);
  });
  if (!matched) {
    throw new WebhookVerificationError('invalid_signature', 'No webhook signature matches the secret');
  }

  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (cause) {
    throw new WebhookVerificationError('invalid_payload', 'The signed body is not JSON', { cause });
  }
}

/** node:crypto, from Node's built-ins at run time; a clear error anywhere else (a browser). */
function nodeCrypto(): typeof import('node:crypto') {
  const crypto = globalThis.process?.getBuiltinModule?.('node:crypto');
  if (crypto === undefined) {
    throw new TypeError('verifyWebhook runs on a server (Node.js 22.3 or newer), not in a browser');
  }
  return crypto;
}

/** The HMAC key of a `whsec_…` secret (the prefix is optional, as in other verifiers). */
function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length === 0) {
    // A configuration mistake, not a bad request: not a WebhookVerificationError.
    throw new TypeError('The webhook secret must be the endpoint secret, "whsec_" followed by base64');
  }
  return key;
}

/** One header's value: the first of repeated ones, except signatures, which are all kept. */
function header(headers: WebhookHeaders, name: string): string | undefined {
  let value: string | string[] | null | undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    value = (headers as Headers).get(name);
  } else {
    const record = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  if (Array.isArray(value)) value = name === 'webhook-signature' ? value.join(' ') : value[0];
  return value === null || value === undefined || value === '' ? undefined : value;
}
