/**
 * Misbehaviour on demand: denied consents, failing or slow token responses, failing API calls.
 * Tests arm a fault through the sandbox's `control`; each armed failure is used up by one request.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';

export interface FailureOptions {
  /** Sent as `Retry-After` (seconds), as rate-limited and overloaded providers do. */
  retryAfterSeconds?: number;
  /** The `error` field of the JSON body (default: `temporarily_unavailable`). */
  error?: string;
}

/** An HTTP status to answer with, or `reset` to drop the connection without an answer. */
export type FailureStatus = number | 'reset';

interface ArmedFailure {
  remaining: number;
  status: FailureStatus;
  options: FailureOptions;
}

export class Faults {
  readonly #denials: string[] = [];
  #token: ArmedFailure | undefined;
  #api: ArmedFailure | undefined;
  tokenDelayMs = 0;
  readonly #timers = new Set<NodeJS.Timeout>();

  denyNext(count: number, error: string): void {
    for (let i = 0; i < count; i++) this.#denials.push(error);
  }

  takeDenial(): string | undefined {
    return this.#denials.shift();
  }

  failToken(count: number, status: FailureStatus, options: FailureOptions): void {
    this.#token = count > 0 ? { remaining: count, status, options } : undefined;
  }

  failApi(count: number, status: FailureStatus, options: FailureOptions): void {
    this.#api = count > 0 ? { remaining: count, status, options } : undefined;
  }

  takeTokenFailure(): ArmedFailure | undefined {
    const armed = this.#token;
    if (armed && --armed.remaining <= 0) this.#token = undefined;
    return armed;
  }

  takeApiFailure(): ArmedFailure | undefined {
    const armed = this.#api;
    if (armed && --armed.remaining <= 0) this.#api = undefined;
    return armed;
  }

  /** Waits the configured token delay; timers are cleared when the sandbox closes. */
  async delayToken(): Promise<void> {
    const ms = this.tokenDelayMs;
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#denials.length = 0;
    this.#token = undefined;
    this.#api = undefined;
    this.tokenDelayMs = 0;
  }
}

/** Answers with an armed failure. */
export function sendFailure(res: ServerResponse, failure: ArmedFailure): void {
  if (failure.status === 'reset') {
    res.socket?.destroy();
    return;
  }
  const { retryAfterSeconds, error } = failure.options;
  const headers = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  sendJson(
    res,
    failure.status,
    { error: error ?? 'temporarily_unavailable', error_description: 'failure injected by the sandbox' },
    headers,
  );
}
