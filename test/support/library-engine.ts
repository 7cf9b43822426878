/**
 * An engine in this process (library mode) on a fresh embedded database, for end-to-end tests
 * that drive it over HTTP, and the small tools those tests share: a JSON API caller, a clock the
 * test can move, a polling wait, and a local webhook receiver.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/clock/index.ts';
import type { PatchbayConfigInput } from '../../src/config/index.ts';
import { createPatchbay, type Patchbay } from '../../src/engine/index.ts';
import { createLogger, type Logger } from '../../src/logger/index.ts';
import { generateKeyString } from '../../src/vault/index.ts';

/** Real time plus an offset the test moves: the engine sees tokens and sessions expire at once. */
export class ShiftedClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
}

export interface JsonAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and assert on their fields
  body: Record<string, any>;
  /** The raw text, for scans of everything the API answered. */
  text: string;
}

export interface LibraryEngine {
  readonly engine: Patchbay;
  readonly baseUrl: string;
  /** The dev environment's first API key. */
  readonly apiKey: string;
  readonly dataDir: string;
  /** A JSON API call with the dev key (or `bearer`). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonAnswer>;
  stop(): Promise<void>;
}

export interface LibraryEngineOptions {
  /** Merged over the defaults: a fresh data dir, port 0, a generated key, loopback allowed. */
  config?: PatchbayConfigInput;
  clock?: Clock;
  logger?: Logger;
}

export async function startLibraryEngine(options: LibraryEngineOptions = {}): Promise<LibraryEngine> {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchbay-e2e-'));
  try {
    const engine = await createPatchbay({
      config: {
        dataDir,
        port: 0,
        encryptionKeys: generateKeyString(),
        allowPrivateNetworks: 'loopback',
        ...options.config,
      },
      logger: options.logger ?? createLogger({ level: 'silent' }),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const report = await engine.start();
    const baseUrl = report.url ?? '';
    const apiKey = report.firstApiKey ?? '';
    return {
      engine,
      baseUrl,
      apiKey,
      dataDir,
      async call(method, path, body, headers = {}) {
        const response = await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${apiKey}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : {}, text };
      },
      async stop() {
        await engine.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Polls `probe` (which may be async) until it returns a value; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface Received {
  id: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly received: Received[];
  /** Status codes for the next requests, in order; 200 when empty. */
  readonly answers: number[];
  close(): Promise<void>;
}

/** A local endpoint that records what it receives and answers as told. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(',') : (value ?? ''),
        ]),
      );
      received.push({
        id: headers['webhook-id'] ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.statusCode = answers.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
