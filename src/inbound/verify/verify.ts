/**
 * `verifyDelivery`: one generic verifier per scheme of src/catalog/webhooks.ts, pure functions over
 * the raw bytes (`provider_api` asks the provider through `deps`). No scheme names a provider:
 * providers are presets or parameters of these. Every compare is constant-time; every signed
 * timestamp is held against the scheme's tolerance both ways. A missing signature header is
 * `webhook_signature_missing`, a bad or garbled one `webhook_signature_invalid`, a stale
 * timestamp `webhook_timestamp_invalid`, a bad URL token `webhook_token_invalid`.
 */

import type { WebhookVerification } from '../../catalog/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import type { IncomingDelivery, VerificationResult, VerifyDelivery, VerifyDeps } from '../types.ts';
import { verifyEcdsaP256 } from './schemes/ecdsa-p256.ts';
import { verifyHmac } from './schemes/hmac.ts';
import { verifyProviderApi } from './schemes/provider-api.ts';
import { verifyStandardWebhooks } from './schemes/standard-webhooks.ts';
import { verifyUrlToken } from './schemes/url-token.ts';

export const verifyDelivery: VerifyDelivery = async (
  verification: WebhookVerification,
  delivery: IncomingDelivery,
  secrets: readonly string[],
  deps: VerifyDeps = {},
): Promise<VerificationResult> => {
  switch (verification.scheme) {
    case 'hmac':
      return verifyHmac(verification, delivery, secrets);
    case 'standard_webhooks':
      return verifyStandardWebhooks(verification, delivery, secrets);
    case 'provider_api':
      return verifyProviderApi(verification, delivery, deps);
    case 'url_token':
      return verifyUrlToken(verification, delivery, secrets);
    case 'ecdsa_p256':
      return verifyEcdsaP256(verification, delivery, secrets);
    default: {
      const unknown: never = verification;
      throw new PatchbayError(
        'internal_error',
        `unknown webhook scheme ${String((unknown as { scheme: unknown }).scheme)}`,
      );
    }
  }
};
