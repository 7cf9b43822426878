/**
 * The HTTP request of one delivery attempt: the message's stored payload as the exact body, the
 * endpoint's custom headers, and the Standard Webhooks headers signed for this attempt.
 */
import { PACKAGE_VERSION } from '../../version.ts';
import { isReservedHeader } from '../header-rules.ts';
import { signatureHeaders } from '../signing.ts';

export const USER_AGENT = `Patchbay-Webhooks/${PACKAGE_VERSION}`;

export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  /** The message's payload, byte for byte what was signed. */
  body: string;
}

export interface DeliveryRequestInput {
  messageId: string;
  /** The stored JSON text of the message: sent as is, never re-serialized. */
  payload: string;
  url: string;
  customHeaders: Readonly<Record<string, string>>;
  /** Current secret first, then one in its rotation grace period. */
  secrets: readonly string[];
  /** The attempt's time (epoch ms): each attempt is signed with its own timestamp. */
  now: number;
}

export function buildDeliveryRequest(input: DeliveryRequestInput): DeliveryRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.customHeaders)) {
    const lower = name.toLowerCase();
    // Refused when saved; skipped here too, so a header stored before a rule existed cannot
    // override what the delivery sets.
    if (isReservedHeader(lower)) continue;
    headers[lower] = value;
  }
  Object.assign(
    headers,
    { 'content-type': 'application/json', 'user-agent': USER_AGENT },
    signatureHeaders({
      id: input.messageId,
      timestamp: Math.floor(input.now / 1000),
      body: input.payload,
      secrets: input.secrets,
    }),
  );
  return { url: input.url, headers, body: input.payload };
}
