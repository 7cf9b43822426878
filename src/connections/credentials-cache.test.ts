import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import { createVault, generateKeyString, parseKeyring, type Vault } from '../vault/index.ts';
import type { Credentials } from './contracts.ts';
import { sealCredentials } from './credentials.ts';
import { createCredentialsCache } from './credentials-cache.ts';

/** A vault that counts its decryptions. */
function countingVault(): Vault & { decryptions: number } {
  const vault = createVault(parseKeyring(generateKeyString()));
  const counting = {
    primaryKid: vault.primaryKid,
    kids: vault.kids,
    decryptions: 0,
    encrypt: vault.encrypt,
    decrypt(envelope: string, context: Parameters<Vault['decrypt']>[1]) {
      counting.decryptions += 1;
      return vault.decrypt(envelope, context);
    },
  };
  return counting;
}

const apiKey = (value: string): Credentials => ({ type: 'api_key', values: { apiKey: value } });

describe('credentials cache', () => {
  it('decrypts an envelope once, and again for every new envelope of the same connection', () => {
    const vault = countingVault();
    const cache = createCredentialsCache(vault);
    const first = sealCredentials(vault, 'conn_a', apiKey('one'));
    assert.deepEqual(cache.open('conn_a', first), apiKey('one'));
    assert.deepEqual(cache.open('conn_a', first), apiKey('one'));
    assert.equal(vault.decryptions, 1);
    // The same credentials sealed again are a new ciphertext (random nonce): a miss, never stale.
    const again = sealCredentials(vault, 'conn_a', apiKey('one'));
    assert.notEqual(again, first);
    const rotated = sealCredentials(vault, 'conn_a', apiKey('two'));
    assert.deepEqual(cache.open('conn_a', again), apiKey('one'));
    assert.deepEqual(cache.open('conn_a', rotated), apiKey('two'));
    assert.equal(vault.decryptions, 3);
  });

  it('does not serve an envelope under another connection: the vault refuses it as before', () => {
    const vault = countingVault();
    const cache = createCredentialsCache(vault);
    const envelope = sealCredentials(vault, 'conn_a', apiKey('one'));
    cache.open('conn_a', envelope);
    assert.throws(
      () => cache.open('conn_b', envelope),
      (error: unknown) => isPatchbayError(error, 'vault_decrypt_failed'),
    );
    // The failure cached nothing: the owner still gets its credentials from the cache.
    assert.deepEqual(cache.open('conn_a', envelope), apiKey('one'));
    assert.equal(vault.decryptions, 2);
  });

  it('keeps at most its size, dropping the least recently used, and hands out frozen credentials', () => {
    const vault = countingVault();
    const cache = createCredentialsCache(vault, 2);
    const a = sealCredentials(vault, 'conn_a', apiKey('a'));
    const b = sealCredentials(vault, 'conn_b', apiKey('b'));
    const c = sealCredentials(vault, 'conn_c', apiKey('c'));
    cache.open('conn_a', a);
    cache.open('conn_b', b);
    cache.open('conn_a', a); // a is now the most recently used
    cache.open('conn_c', c); // drops b
    assert.equal(vault.decryptions, 3);
    cache.open('conn_a', a);
    cache.open('conn_c', c);
    assert.equal(vault.decryptions, 3);
    const credentials = cache.open('conn_b', b);
    assert.equal(vault.decryptions, 4);
    assert.ok(Object.isFrozen(credentials));
    assert.throws(() => {
      (credentials as { values: Record<string, string> }).values.apiKey = 'changed';
    }, TypeError);

    cache.forget(b);
    cache.open('conn_b', b);
    assert.equal(vault.decryptions, 5);
  });
});
