/** The intake URLs Patchbay hands out for providers to call. */
import type { WebhookVerification } from '../catalog/index.ts';

/**
 * `<public URL>/webhooks/<environment id>/<integration key>`, with a connection's URL token in
 * the path or the query when the provider is verified per connection URL.
 */
export function webhookUrlFor(
  publicUrl: string,
  environmentId: string,
  integrationKey: string,
  token?: { token: string; location: 'query' | 'path'; param: string },
): string {
  const base = `${publicUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(environmentId)}/${encodeURIComponent(integrationKey)}`;
  if (!token) return base;
  if (token.location === 'path') return `${base}/${encodeURIComponent(token.token)}`;
  return `${base}?${new URLSearchParams({ [token.param]: token.token }).toString()}`;
}

/**
 * A connection's own intake URL, for definitions that route by URL: the token goes where the
 * scheme reads it (a `url_token` scheme's location and parameter; the last path segment for
 * signed schemes).
 */
export function connectionWebhookUrl(
  publicUrl: string,
  environmentId: string,
  integrationKey: string,
  verification: WebhookVerification,
  token: string,
): string {
  return webhookUrlFor(publicUrl, environmentId, integrationKey, {
    token,
    location: verification.scheme === 'url_token' ? verification.location : 'path',
    param: verification.scheme === 'url_token' ? verification.param : 'token',
  });
}
