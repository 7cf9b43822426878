/**
 * Decrypted connection credentials, cached by their envelope: the ciphertext string as stored in
 * `connections.credentials`. Loading a connection for a provider call then costs no AES-GCM
 * decryption, JSON parse and shape check when the row is unchanged.
 *
 * Why a cache keyed by the ciphertext can never serve stale credentials, in this process or when
 * another process wrote the row: every write of credentials (create, reconnect, refresh, key
 * rotation) seals them again with a fresh random 96-bit nonce, so new credentials always come as a
 * new ciphertext string. Each load still reads the row, and looks up the envelope the row holds
 * now; an envelope that was replaced is simply never asked for again and ages out of the LRU. No
 * invalidation is needed. The entry also remembers its connection id: the envelope is bound to
 * its row (associated data), so the same text under another connection is not a hit — it goes to
 * the vault, which refuses it as it always did.
 *
 * Plaintext stays in memory while cached (at most `maxEntries` connections); entries are frozen,
 * so no caller can change what the next one gets.
 */
import type { Vault } from '../vault/index.ts';
import type { Credentials } from './contracts.ts';
import { openCredentials } from './credentials.ts';

export const DEFAULT_CREDENTIALS_CACHE_SIZE = 10_000;

export interface CredentialsCache {
  /** The credentials in `envelope` (a connection's stored credentials); decrypts on a miss. */
  open(connectionId: string, envelope: string): Credentials;
  /** Drops an envelope whose connection is deleted or whose credentials were replaced here. */
  forget(envelope: string): void;
}

interface Entry {
  connectionId: string;
  credentials: Credentials;
}

/** A least-recently-used cache of at most `maxEntries` decrypted credentials. */
export function createCredentialsCache(
  vault: Vault,
  maxEntries = DEFAULT_CREDENTIALS_CACHE_SIZE,
): CredentialsCache {
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const entries = new Map<string, Entry>();
  return {
    open(connectionId, envelope) {
      const cached = entries.get(envelope);
      if (cached && cached.connectionId === connectionId) {
        entries.delete(envelope);
        entries.set(envelope, cached);
        return cached.credentials;
      }
      // Throws for anything unreadable: failures are not cached.
      const credentials = deepFreeze(openCredentials(vault, connectionId, envelope));
      entries.set(envelope, { connectionId, credentials });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return credentials;
    },
    forget(envelope) {
      entries.delete(envelope);
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
