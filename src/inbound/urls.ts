/** The intake URLs Patchbay hands out for providers to call. */

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
