/**
 * Providers that do not sign (Gumroad pings, Mailchimp): the delivery URL carries a random token
 * Patchbay handed out, in a query parameter or as the last path segment. Weaker than a signature:
 * whoever sees the URL can forge deliveries and nothing stops a replay, so such events are hints
 * to re-fetch, not facts.
 */
import type { WebhookVerification } from '../../../catalog/index.ts';
import type { IncomingDelivery, VerificationResult } from '../../types.ts';
import { equalSecrets } from '../compare.ts';
import { OK, reject } from '../result.ts';

/** The token a delivery URL carries, or undefined. */
export function urlToken(verification: WebhookVerification<'url_token'>, url: URL): string | undefined {
  if (verification.location === 'query') return url.searchParams.get(verification.param) ?? undefined;
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const last = segments.at(-1);
  if (last === undefined) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export function verifyUrlToken(
  verification: WebhookVerification<'url_token'>,
  delivery: IncomingDelivery,
  secrets: readonly string[],
): VerificationResult {
  const token = urlToken(verification, delivery.url);
  if (!token)
    return reject('webhook_token_invalid', 'the webhook URL carries no token; use the URL Patchbay gave out');
  let matched = false;
  for (const secret of secrets) {
    if (secret !== '' && equalSecrets(token, secret)) matched = true;
  }
  return matched
    ? OK
    : reject('webhook_token_invalid', 'the webhook URL token is not valid; use the URL Patchbay gave out');
}
