/**
 * Stripe's idempotent requests, per account: the first POST with an `Idempotency-Key` stores its
 * status and body once the endpoint has begun executing; a retry with the same key and the same
 * method, path and parameters gets that answer again (`Idempotent-Replayed: true`); the same key
 * with anything else is a 400 `idempotency_error`; a retry while the first is still running is a
 * 409. Keys are forgotten 24 hours (of the emulator clock) after their first use.
 */
import type { FormObject, FormValue } from './form.ts';

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

interface Entry {
  readonly fingerprint: string;
  readonly at: number;
  result: { status: number; body: string } | undefined;
}

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

export class IdempotencyStore {
  /** Insertion order is first-use order, so expired keys are at the front. */
  readonly #entries = new Map<string, Entry>();

  get size(): number {
    return this.#entries.size;
  }

  /** Claims `key` for a request with this fingerprint at time `now` (ms). */
  claim(key: string, fingerprint: string, now: number): Claim {
    this.#prune(now);
    const entry = this.#entries.get(key);
    if (!entry) {
      this.#entries.set(key, { fingerprint, at: now, result: undefined });
      return { kind: 'new' };
    }
    if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (!entry.result) return { kind: 'in_progress' };
    return { kind: 'replay', ...entry.result };
  }

  /** Stores the answer of a claimed key. */
  complete(key: string, status: number, body: string): void {
    const entry = this.#entries.get(key);
    if (entry) entry.result = { status, body };
  }

  /** Releases a claimed key whose request is not to be saved (it failed validation). */
  release(key: string): void {
    const entry = this.#entries.get(key);
    if (entry && !entry.result) this.#entries.delete(key);
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (now - entry.at < IDEMPOTENCY_KEY_TTL_MS) break;
      this.#entries.delete(key);
    }
  }
}

/** Method, path and parameters with keys sorted: equal for the same request however it was encoded. */
export function fingerprint(method: string, path: string, params: FormObject): string {
  return `${method} ${path}\n${canonical(params)}`;
}

function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key] as FormValue)}`).join(',')}}`;
}
