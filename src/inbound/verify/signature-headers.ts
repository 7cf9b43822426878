/** The headers a verification scheme reads from a delivery: kept with the stored event. */
import { providerApiHeaders, type WebhookVerification } from '../../catalog/index.ts';

/** Lower-case names of the signature, timestamp and id headers `verification` reads. */
export function signatureHeaders(verification: WebhookVerification): string[] {
  switch (verification.scheme) {
    case 'hmac':
      return verification.timestamp?.from === 'header'
        ? [verification.header, verification.timestamp.header]
        : [verification.header];
    case 'standard_webhooks': {
      const prefix = verification.headerPrefix;
      return [`${prefix}-id`, `${prefix}-timestamp`, `${prefix}-signature`];
    }
    case 'ecdsa_p256':
      return [verification.header, verification.timestampHeader];
    case 'provider_api':
      return providerApiHeaders(verification);
    case 'url_token':
      return [];
  }
}
