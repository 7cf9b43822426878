import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isPatchbayError } from '../errors/index.ts';
import { createVault, generateKeyString, parseKeyring, type SecretContext } from './index.ts';

const keyA = `a:${randomBytes(32).toString('base64')}`;
const keyB = `b:${randomBytes(32).toString('base64')}`;
const here: SecretContext = { table: 'connections', rowId: 'conn_1', purpose: 'credentials' };

const decryptFails = (error: unknown) => isPatchbayError(error, 'vault_decrypt_failed');

describe('vault envelopes', () => {
  it('round-trip, with a fresh nonce every time', () => {
    const vault = createVault(parseKeyring(keyA));
    const one = vault.encrypt('sk_live_secret', here);
    const two = vault.encrypt('sk_live_secret', here);
    assert.notEqual(one, two);
    assert.match(one, /^pbv1\.a\.[A-Za-z0-9_-]+$/);
    assert.ok(!one.includes('sk_live_secret'));
    assert.equal(vault.decrypt(one, here), 'sk_live_secret');
    assert.equal(vault.decrypt(two, here), 'sk_live_secret');
  });

  it('refuse a ciphertext moved to another row, purpose or table', () => {
    const vault = createVault(parseKeyring(keyA));
    const envelope = vault.encrypt('token', here);
    for (const elsewhere of [
      { ...here, rowId: 'conn_2' },
      { ...here, purpose: 'client_secret' },
      { ...here, table: 'integrations' },
    ]) {
      assert.throws(() => vault.decrypt(envelope, elsewhere), decryptFails);
    }
  });

  it('refuse a flipped byte anywhere in the sealed part', () => {
    const vault = createVault(parseKeyring(keyA));
    const envelope = vault.encrypt('token', here);
    const prefix = 'pbv1.a.';
    const raw = Buffer.from(envelope.slice(prefix.length), 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const copy = Buffer.from(raw);
      copy[i] = (copy[i] ?? 0) ^ 0x01;
      assert.throws(
        () => vault.decrypt(prefix + copy.toString('base64url'), here),
        decryptFails,
        `byte ${i}`,
      );
    }
  });

  it('refuse a swapped key id, even when both keys are configured', () => {
    const vault = createVault(parseKeyring(`${keyA},${keyB}`));
    const envelope = vault.encrypt('token', here);
    assert.throws(() => vault.decrypt(envelope.replace('pbv1.a.', 'pbv1.b.'), here), decryptFails);
  });

  it('refuse the wrong key and name a missing one', () => {
    const sealed = createVault(parseKeyring(keyA)).encrypt('token', here);
    const otherA = `a:${randomBytes(32).toString('base64')}`;
    assert.throws(() => createVault(parseKeyring(otherA)).decrypt(sealed, here), decryptFails);
    assert.throws(
      () => createVault(parseKeyring(keyB)).decrypt(sealed, here),
      (error) => isPatchbayError(error, 'vault_key_missing') && error.message.includes('"a"'),
    );
    assert.throws(() => createVault(parseKeyring(keyA)).decrypt('not-an-envelope', here), decryptFails);
    assert.throws(() => createVault(parseKeyring(keyA)).decrypt('pbv1.a.AAAA', here), decryptFails);
  });

  it('encrypt with the first key and decrypt with any configured one', () => {
    const old = createVault(parseKeyring(keyA)).encrypt('old secret', here);
    const both = createVault(parseKeyring(`${keyB},${keyA}`));
    assert.equal(both.primaryKid, 'b');
    assert.deepEqual(both.kids, ['b', 'a']);
    assert.equal(both.decrypt(old, here), 'old secret');
    assert.match(both.encrypt('new secret', here), /^pbv1\.b\./);
  });

  it('decrypt(encrypt(x)) = x for any plaintext and context (property)', () => {
    const vault = createVault(parseKeyring(`${keyA},${keyB}`));
    const context = fc.record({ table: fc.string(), rowId: fc.string(), purpose: fc.string() });
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ maxLength: 20_000 })),
        context,
        (text, ctx) => {
          return vault.decrypt(vault.encrypt(text, ctx), ctx) === text;
        },
      ),
    );
  });

  it('any single-character change of the envelope, or any other context, fails (property)', () => {
    const vault = createVault(parseKeyring(keyA));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.nat(),
        fc.constantFrom(...alphabet),
        fc.string({ minLength: 1, maxLength: 10 }),
        (text, position, replacement, suffix) => {
          const envelope = vault.encrypt(text, here);
          const index = position % envelope.length;
          fc.pre(envelope[index] !== replacement);
          const mutated = envelope.slice(0, index) + replacement + envelope.slice(index + 1);
          // A base64url change in the last character's unused low bits decodes to the same bytes.
          fc.pre(
            Buffer.from(mutated.split('.')[2] ?? '', 'base64url').toString('base64url') ===
              mutated.split('.')[2],
          );
          const refusedMutation = throws(() => vault.decrypt(mutated, here));
          const refusedContext = throws(() =>
            vault.decrypt(envelope, { ...here, rowId: here.rowId + suffix }),
          );
          return refusedMutation && refusedContext;
        },
      ),
    );
  });
});

describe('keyring', () => {
  it('parses kid:base64 lists and generates valid key strings', () => {
    const generated = generateKeyString(new Date('2026-11-22T00:00:00Z'));
    assert.match(generated, /^k20261122[0-9a-f]{4}:[A-Za-z0-9+/]{43}=$/);
    const keyring = parseKeyring(`${generated}, ${keyA}`);
    assert.deepEqual(
      keyring.map((k) => k.kid),
      [generated.split(':')[0], 'a'],
    );
    // Each key is also a KeyObject, made once, holding the same bytes.
    for (const key of keyring) {
      assert.equal(key.secret.type, 'secret');
      assert.ok(key.secret.export().equals(key.key));
    }
  });

  it('refuses malformed keys with config_invalid, never echoing key material', () => {
    const short = `a:${randomBytes(16).toString('base64')}`;
    for (const bad of [
      '',
      'nokid',
      ':abc',
      `Bad Kid:${randomBytes(32).toString('base64')}`,
      short,
      `${keyA},${keyA}`,
    ]) {
      assert.throws(
        () => parseKeyring(bad),
        (error) =>
          isPatchbayError(error, 'config_invalid') &&
          error.message.includes('PATCHBAY_ENCRYPTION_KEYS') &&
          !error.message.includes(short.slice(2)),
      );
    }
  });
});

function throws(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (error) {
    return isPatchbayError(error, 'vault_decrypt_failed') || isPatchbayError(error, 'vault_key_missing');
  }
}
