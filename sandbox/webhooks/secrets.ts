/**
 * Sample webhook secrets per scheme, shaped like the providers' own: `whsec_` strings for Stripe
 * and Standard Webhooks, a base64 MAC key where the definition says so, a P-256 key pair for
 * ECDSA. `sign` goes to signDelivery, `verify` to verifyDelivery (they differ only for ECDSA).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { SigningRecipe } from './recipe.ts';

export interface SampleSecret {
  sign: string;
  verify: string;
}

/** A fresh P-256 key pair: private key base64 DER PKCS#8, public key base64 DER SPKI (SendGrid's form). */
export function ecdsaP256KeyPair(): SampleSecret {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    sign: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    verify: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

export function sampleSecret(verification: SigningRecipe): SampleSecret {
  const same = (secret: string): SampleSecret => ({ sign: secret, verify: secret });
  switch (verification.scheme) {
    case 'standard_webhooks':
      return same(`whsec_${randomBytes(24).toString('base64')}`);
    case 'hmac':
      if (verification.secretEncoding === 'base64') return same(randomBytes(32).toString('base64'));
      if (verification.secretEncoding === 'whsec_base64') {
        return same(`whsec_${randomBytes(24).toString('base64')}`);
      }
      // Shaped like Stripe's and most providers' secrets: text, used as its UTF-8 bytes.
      return same(`whsec_${randomBytes(16).toString('hex')}`);
    case 'ecdsa_p256':
      return ecdsaP256KeyPair();
    case 'url_token':
      return same(randomBytes(24).toString('base64url'));
    default:
      return same(randomBytes(16).toString('hex'));
  }
}
