/**
 * Identifiers shaped like Graph API ones: numeric object ids (Pages, PSIDs, app-scoped user ids),
 * `m_…` message ids, opaque `EAA…` access tokens and short `fbtrace_id`s. Numeric ids are unique
 * within one emulator (a counter under a random prefix) so tests can tell people and objects
 * apart; tokens are random so none can be guessed from another.
 */
import { randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class GraphIds {
  /** Random leading digits shared by this emulator's ids, so two emulators never collide. */
  readonly #prefix = String(randomInt(100_000, 999_999));
  #counter = 0;

  /** A numeric id of `digits` digits (at least 12), distinct from every other one issued here. */
  numeric(digits = 15): string {
    this.#counter++;
    const tail = String(this.#counter).padStart(digits - this.#prefix.length - 1, '0');
    // A leading 1 to 9 keeps the id a valid non-zero-padded number, as Graph ids are.
    return `${randomInt(1, 10)}${this.#prefix}${tail}`;
  }

  /** A Page-scoped ID: 16 digits, like the PSIDs of the Send API reference. */
  psid(): string {
    return this.numeric(16);
  }

  /** A message id of the form the webhook references show (`m_…`). */
  messageId(): string {
    return `m_${randomBytes(48).toString('base64url')}`;
  }
}

/** An opaque access token; Meta's begin with `EAA` and are alphanumeric. */
export function accessToken(): string {
  return `EAA${alphanumeric(180)}`;
}

/** An 11-character trace id like the `fbtrace_id` of Graph error bodies. */
export function fbtraceId(): string {
  return alphanumeric(11);
}

/** A login-dialog code: long, opaque, URL-safe. */
export function authorizationCode(): string {
  return `AQ${randomBytes(96).toString('base64url')}`;
}

function alphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let text = '';
  for (const byte of bytes) text += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return text;
}
