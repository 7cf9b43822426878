/**
 * `verifyDelivery`: one generic verifier per scheme of src/catalog/webhooks.ts, pure functions over
 * the raw bytes. Every compare is constant-time; every signed timestamp is held against the
 * scheme's tolerance both ways. A missing signature header is `webhook_signature_missing`, a bad
 * or garbled one `webhook_signature_invalid`, a stale timestamp `webhook_timestamp_invalid`, a
 * bad URL token `webhook_token_invalid`.
 */

import type { WebhookVerification } from '../../catalog/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import type { IncomingDelivery, VerificationResult, VerifyDelivery, VerifyDeps } from '../types.ts';
import { verifyEcdsaP256 } from './schemes/ecdsa-p256.ts';
import { verifyHmacSha256 } from './schemes/hmac-sha256.ts';
import { verifyHubspotV3 } from './schemes/hubspot-v3.ts';
import { verifyPaypalApi } from './schemes/paypal-api.ts';
import { verifySquare } from './schemes/square.ts';
import { verifyStandardWebhooks } from './schemes/standard-webhooks.ts';
import { verifyStripe } from './schemes/stripe.ts';
import { verifyUrlToken } from './schemes/url-token.ts';

export const verifyDelivery: VerifyDelivery = async (
  verification: WebhookVerification,
  delivery: IncomingDelivery,
  secrets: readonly string[],
  deps: VerifyDeps = {},
): Promise<VerificationResult> => {
  switch (verification.scheme) {
    case 'stripe':
      return verifyStripe(verification, delivery, secrets);
    case 'standard_webhooks':
      return verifyStandardWebhooks(verification, delivery, secrets);
    case 'hmac_sha256':
      return verifyHmacSha256(verification, delivery, secrets);
    case 'hubspot_v3':
      return verifyHubspotV3(verification, delivery, secrets);
    case 'square':
      return verifySquare(verification, delivery, secrets);
    case 'paypal_api':
      return verifyPaypalApi(verification, delivery, deps);
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
