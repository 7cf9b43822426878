/**
 * Shopify-style install verification. Shopify opens the app with
 * `?hmac=…&host=…&shop=acme.myshopify.com&timestamp=…`; `hmac` is HMAC-SHA256, keyed by the
 * app's client secret, of the other parameters sorted by name and joined as `k=v&…`
 * (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant#step-1-verify-the-installation-request).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OAuth2Install } from '../catalog/auth.ts';
import { PatchbayError } from '../errors/index.ts';

/** The signed message: every parameter but the signature ones, sorted by name, `k=v` joined by `&`. */
export function installMessage(query: URLSearchParams, hmacParam: string): string {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of query) {
    // `signature` is the legacy (MD5-era) parameter Shopify also leaves out of the message.
    if (key === hmacParam || key === 'signature') continue;
    // Shopify's documented escaping, so that a value cannot forge a separator.
    pairs.push([
      key.replaceAll('%', '%25').replaceAll('&', '%26').replaceAll('=', '%3D'),
      value.replaceAll('%', '%25').replaceAll('&', '%26'),
    ]);
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * A signed timestamp may run this far ahead of our clock: the provider's clock and ours differ a
 * little, but a request from the future is not a fresh one.
 */
export const INSTALL_FUTURE_SKEW_SECONDS = 60;

/**
 * Verifies the install query; returns the connection config (`{ [configKey]: shop }`).
 * `install_signature_invalid` for a missing, malformed or wrong signature, `install_timestamp_invalid`
 * for a timestamp that is missing or outside `tolerance` seconds before `now` (a replay) or a
 * minute after it, `validation_failed` for a shop domain outside `shopPattern`.
 */
export function verifyInstallQuery(
  install: OAuth2Install,
  clientSecret: string,
  query: URLSearchParams,
  now: number,
): Record<string, string> {
  const given = query.getAll(install.hmacParam);
  if (given.length !== 1 || !given[0]) throw invalidHmac('The install request is not signed');
  const digest = createHmac('sha256', clientSecret)
    .update(installMessage(query, install.hmacParam), 'utf8')
    .digest();
  const expected = Buffer.from(
    install.hmacEncoding === 'hex' ? digest.toString('hex') : digest.toString('base64'),
    'utf8',
  );
  const actual = Buffer.from(install.hmacEncoding === 'hex' ? given[0].toLowerCase() : given[0], 'utf8');
  // timingSafeEqual needs equal lengths; a length difference is a mismatch on its own.
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw invalidHmac('The install request signature does not match');
  }
  checkTimestamp(query.getAll(install.timestampParam), install.tolerance, now);
  const shops = query.getAll(install.shopParam);
  const shop = shops.length === 1 ? shops[0] : undefined;
  if (!shop || !new RegExp(install.shopPattern).test(shop)) {
    throw new PatchbayError('validation_failed', 'The shop domain of the install request is not valid', {
      details: {
        issues: [
          { in: 'query', path: install.shopParam, message: 'is not a valid shop domain', code: 'pattern' },
        ],
      },
    });
  }
  return { [install.configKey]: shop };
}

/** The signed timestamp (Unix seconds) must be one, and recent: the signature alone never expires. */
function checkTimestamp(given: readonly string[], toleranceSeconds: number, now: number): void {
  const text = given.length === 1 ? given[0]! : '';
  if (!/^\d{1,12}$/.test(text)) {
    throw new PatchbayError(
      'install_timestamp_invalid',
      'The install request has no valid timestamp; open the app from the provider again',
    );
  }
  const ageSeconds = now / 1000 - Number(text);
  if (ageSeconds > toleranceSeconds) {
    throw new PatchbayError(
      'install_timestamp_invalid',
      `The install request is older than ${toleranceSeconds} s; open the app from the provider again`,
    );
  }
  if (ageSeconds < -INSTALL_FUTURE_SKEW_SECONDS) {
    throw new PatchbayError(
      'install_timestamp_invalid',
      "The install request's timestamp is ahead of this server's clock; check the server's time",
    );
  }
}

function invalidHmac(message: string): PatchbayError {
  return new PatchbayError('install_signature_invalid', message);
}
