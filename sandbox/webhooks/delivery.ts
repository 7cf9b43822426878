/** A delivery as a receiver gets it (lower-cased header names, raw bytes), for verifier tests. */
import type { ReceivedRequest } from './recipe.ts';

export interface DeliveryInput {
  method?: string;
  url: string | URL;
  headers?: Record<string, string>;
  body: string | Buffer;
  receivedAt: number;
}

export function incomingDelivery(input: DeliveryInput): ReceivedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    method: input.method ?? 'POST',
    url: new URL(input.url),
    headers,
    rawBody: typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body,
    receivedAt: input.receivedAt,
  };
}
