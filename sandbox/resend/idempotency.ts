/**
 * Resend's idempotency keys (https://resend.com/docs/dashboard/emails/idempotency-keys): an
 * `Idempotency-Key` header of 1 to 256 characters on `POST /emails` and `/emails/batch`, kept 24
 * hours. The same key with the same body answers the first answer again (nothing is sent twice);
 * with another body it is refused with 409 `invalid_idempotent_request`; while the first request
 * is still being processed, 409 `concurrent_idempotent_requests`.
 */
import { createHash } from 'node:crypto';
import { ResendRefusal } from './errors.ts';

const TTL_MS = 24 * 3_600_000;
const MAX_LENGTH = 256;

interface Entry {
  hash: string;
  at: number;
  answer: { status: number; body: unknown } | null;
}

export type IdempotencyStart =
  | { kind: 'new'; finish(answer: { status: number; body: unknown } | null): void }
  | { kind: 'replay'; answer: { status: number; body: unknown } };

export class IdempotencyKeys {
  readonly #entries = new Map<string, Entry>();

  /** Starts a request under `key`: new, or the stored answer to replay; throws Resend's refusals. */
  start(apiKey: string, key: string, path: string, body: Buffer, now: number): IdempotencyStart {
    if (key.length < 1 || key.length > MAX_LENGTH) {
      throw new ResendRefusal('invalid_idempotency_key', 'The key must be between 1-256 chars.');
    }
    const slot = `${apiKey}\u0000${key}`;
    const hash = createHash('sha256').update(path).update('\u0000').update(body).digest('hex');
    const found = this.#entries.get(slot);
    if (found && now - found.at < TTL_MS) {
      if (found.hash !== hash) {
        throw new ResendRefusal(
          'invalid_idempotent_request',
          'Same idempotency key used with a different request payload.',
        );
      }
      if (found.answer === null) {
        throw new ResendRefusal(
          'concurrent_idempotent_requests',
          'Same idempotency key used while original request is still in progress.',
        );
      }
      return { kind: 'replay', answer: found.answer };
    }
    const entry: Entry = { hash, at: now, answer: null };
    this.#entries.set(slot, entry);
    return {
      kind: 'new',
      finish: (answer) => {
        // A refused request keeps no key: the client may fix the body and send it again.
        if (answer === null) this.#entries.delete(slot);
        else entry.answer = answer;
      },
    };
  }
}
