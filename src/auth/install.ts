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
 * Verifies the install query; returns the connection config (`{ [configKey]: shop }`).
 * `shopify_hmac_invalid` for a missing, malformed or wrong signature or a stale timestamp,
 * `validation_failed` for a shop domain outside `shopPattern`.
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
  if (install.tolerance !== undefined) {
    const timestamp = query.get(install.timestampParam);
    const seconds = timestamp !== null && /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!Number.isFinite(seconds) || Math.abs(now - seconds * 1000) > install.tolerance * 1000) {
      throw invalidHmac('The install request is too old; open the app from the provider again');
    }
  }
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

function invalidHmac(message: string): PatchbayError {
  return new PatchbayError('shopify_hmac_invalid', message);
}
