/**
 * Auth injection: what the definition's proxy block adds to every request (headers, query
 * parameters, HTTP basic credentials, an OAuth 1.0a signature), rendered with the call's values.
 * Syncs, actions and API clients never add auth themselves; this is the one place it is done.
 */
import type { OAuth1Config, ProxyConfig, TemplateValues, ValueCondition } from '../catalog/index.ts';
import { renderTemplate } from '../catalog/index.ts';
import { isPatchbayError } from '../errors/index.ts';
import { newNonce, signedUrl } from './oauth1.ts';
import { matches } from './rate-limit-cases.ts';

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
  if (proxy.basicAuth && applies(proxy.basicAuth.when, values)) {
    const username = renderTemplate(proxy.basicAuth.username, values, { as: 'text' });
    const password = renderTemplate(proxy.basicAuth.password, values, { as: 'text' });
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }
}

function missing(details: unknown): boolean {
  return (details as { reason?: unknown } | undefined)?.reason === 'missing';
}

function applies(condition: ValueCondition | undefined, values: TemplateValues): boolean {
  return condition === undefined || matches(condition.value, condition.matches, values);
}

/** The definition's OAuth 1.0a signing when it applies to this connection, else null. */
export function oauth1For(proxy: ProxyConfig, values: TemplateValues): OAuth1Config | null {
  return proxy.oauth1 && applies(proxy.oauth1.when, values) ? proxy.oauth1 : null;
}

/**
 * The URL of one attempt, signed with OAuth 1.0a (a fresh nonce and timestamp: a retry must not
 * repeat a nonce). `formBody` is the request's form-encoded body, which the signature covers.
 */
export function signOAuth1(
  config: OAuth1Config,
  values: TemplateValues,
  request: { method: string; url: URL; formBody?: string; nowMs: number; nonce?: string },
): URL {
  return signedUrl(
    {
      consumerKey: renderTemplate(config.consumerKey, values, { as: 'text' }),
      consumerSecret: renderTemplate(config.consumerSecret, values, { as: 'text' }),
    },
    {
      method: request.method,
      url: request.url,
      ...(request.formBody === undefined ? {} : { formBody: request.formBody }),
      signatureMethod: config.signatureMethod,
      timestamp: Math.floor(request.nowMs / 1000),
      nonce: request.nonce ?? newNonce(),
    },
  );
}
