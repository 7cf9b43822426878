/**
 * Test helpers: the official SDK pointed at an emulator, a clock that moves only when told, and a
 * webhook receiver on loopback that keeps every delivery's raw body and headers and answers with
 * the statuses a test queues. (The folder's tests import nothing from the engine either.)
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { StripeClock } from './context.ts';
import type { StripeSandbox } from './server.ts';

/** Epoch ms that change only by `advance` and `set`. */
export class ManualClock implements StripeClock {
  #now: number;
  constructor(start: number) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  set(epochMs: number): void {
    this.#now = epochMs;
  }
}

/** The SDK aimed at the emulator; no automatic retries, so every answer is seen as sent. */
export function sdk(
  sandbox: StripeSandbox,
  key = sandbox.platform.secretKey,
  config: Stripe.StripeConfig = {},
): Stripe {
  return new Stripe(key, {
    host: '127.0.0.1',
    port: sandbox.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
    ...config,
  });
}

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Statuses to answer with, in order; 200 once they run out. */
  respondWith(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    respondWith: (...next) => statuses.push(...next),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
