/**
 * What an emulator received, for fidelity tests that compare the requests Patchbay's scripts send
 * with those the provider's official SDK sends for the same operation. The credential is never
 * kept: `authorization` is reduced to its scheme.
 */
import type { IncomingMessage } from 'node:http';

export interface ReceivedApiRequest {
  method: string;
  path: string;
  /** Lower-case names; `authorization` as `Bearer …`. */
  headers: Record<string, string>;
  body: string;
}

export function receivedOf(
  req: IncomingMessage,
  method: string,
  path: string,
  body: Buffer,
): ReceivedApiRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    headers[name] = name === 'authorization' ? `${text.split(' ')[0] ?? ''} …` : text;
  }
  return { method, path, headers, body: body.toString('utf8') };
}
