/** Building an IncomingDelivery as the intake would (lower-cased header names, raw bytes). */
import type { IncomingDelivery } from '../../src/inbound/types.ts';

export interface DeliveryInput {
  method?: string;
  url: string | URL;
  headers?: Record<string, string>;
  body: string | Buffer;
  receivedAt: number;
}

export function incomingDelivery(input: DeliveryInput): IncomingDelivery {
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
