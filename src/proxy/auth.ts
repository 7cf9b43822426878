/**
 * Auth injection: what the definition's proxy block adds to every request (headers, query
 * parameters, HTTP basic credentials), rendered with the call's values. Syncs, actions and API
 * clients never add auth themselves; this is the one place it is done.
 */
import type { ProxyConfig, TemplateValues } from '../catalog/index.ts';
import { renderTemplate } from '../catalog/index.ts';
import { isPatchbayError } from '../errors/index.ts';

/** Sets the definition's auth on `headers` (lower-cased names) and `url`. */
export function applyAuth(
  proxy: ProxyConfig,
  values: TemplateValues,
  headers: Record<string, string>,
  url: URL,
): void {
  for (const [name, spec] of Object.entries(proxy.headers)) {
    const template = typeof spec === 'string' ? spec : spec.value;
    const optional = typeof spec !== 'string';
    let value: string;
    try {
      value = renderTemplate(template, values, { as: 'text' });
    } catch (error) {
      // An optional header (Stripe-Account for platform calls) is left out when its value is absent.
      if (optional && isPatchbayError(error, 'template_value_invalid') && missing(error.details)) continue;
      throw error;
    }
    headers[name.toLowerCase()] = value;
  }
  for (const [name, template] of Object.entries(proxy.query)) {
    url.searchParams.delete(name);
    url.searchParams.append(name, renderTemplate(template, values, { as: 'text' }));
  }
  if (proxy.basicAuth) {
    const username = renderTemplate(proxy.basicAuth.username, values, { as: 'text' });
    const password = renderTemplate(proxy.basicAuth.password, values, { as: 'text' });
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }
}

function missing(details: unknown): boolean {
  return (details as { reason?: unknown } | undefined)?.reason === 'missing';
}
