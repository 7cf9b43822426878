/**
 * The generic `provider_api` scheme (src/catalog/provider-api-scheme.ts): the delivery is checked
 * by the provider's own API, asked through the proxy (`deps.providerRequest`) with the request the
 * definition declares, and the answer's JSON holds the verdict. An answer that is not a 2xx with
 * a JSON body is no verdict at all: the promise rejects with `provider_unreachable`, the intake
 * answers 5xx and the provider delivers again later — it is not the sender's fault.
 */

import {
  type JsonTemplate,
  type ProviderApiToken,
  providerApiConfigKeys,
  providerApiHeaders,
  providerApiReadsBody,
  renderTokens,
  type WebhookVerification,
} from '../../../catalog/index.ts';
import { PatchbayError } from '../../../errors/index.ts';
import { isObject, valueAt } from '../../../values/path.ts';
import type { IncomingDelivery, VerificationResult, VerifyDeps } from '../../types.ts';
import { header, missingHeader, OK, reject } from '../result.ts';

type ProviderApiVerification = WebhookVerification<'provider_api'>;

interface Values {
  headers: Record<string, string>;
  config: Record<string, string>;
  rawBody: string;
  parsed: unknown;
}

const NOT_JSON = Symbol('not JSON');

function tokenValue(token: ProviderApiToken, values: Values): unknown {
  switch (token.kind) {
    case 'header':
      return values.headers[token.name] ?? '';
    case 'config':
      return values.config[token.key] ?? '';
    case 'body':
      return token.path === undefined ? values.parsed : (valueAt(values.parsed, token.path) ?? null);
    case 'rawBody':
      return values.rawBody;
  }
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined ? '' : JSON.stringify(value);
}

function render(template: JsonTemplate, values: Values): unknown {
  if (typeof template === 'string')
    return renderTokens(template, (token) => tokenValue(token, values), textOf);
  if (Array.isArray(template)) return template.map((item) => render(item, values));
  if (isObject(template)) {
    // fromEntries: a key named __proto__ stays an own property.
    return Object.fromEntries(
      Object.entries(template).map(([key, item]) => [key, render(item as JsonTemplate, values)]),
    );
  }
  return template;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

export async function verifyProviderApi(
  v: ProviderApiVerification,
  delivery: IncomingDelivery,
  deps: VerifyDeps,
): Promise<VerificationResult> {
  const headers: Record<string, string> = {};
  for (const name of providerApiHeaders(v)) {
    const value = header(delivery, name);
    if (value === undefined) return missingHeader(name);
    headers[name] = value;
  }
  if (!deps.providerRequest) {
    return reject(
      'webhook_signature_invalid',
      "the delivery names no connection whose credentials could ask the provider; use the connection's webhook URL",
    );
  }
  const config: Record<string, string> = {};
  for (const key of providerApiConfigKeys(v)) {
    const value = deps.connectionConfig?.[key];
    if (!value) {
      return reject(
        'webhook_signature_invalid',
        `the connection has no "${key}" config value, so the provider cannot check the signature`,
      );
    }
    config[key] = value;
  }
  const rawBody = delivery.rawBody.toString('utf8');
  let parsed: unknown = null;
  if (providerApiReadsBody(v)) {
    parsed = parseJson(rawBody);
    if (parsed === NOT_JSON) {
      return reject(
        'webhook_signature_invalid',
        'the body is not JSON, so the provider cannot be asked about it',
      );
    }
  }
  const values: Values = { headers, config, rawBody, parsed };
  const path = renderTokens(
    v.request.path,
    (token) => tokenValue(token, values),
    (value) => encodeURIComponent(textOf(value)),
  ) as string;
  const answer = await deps.providerRequest({
    method: v.request.method,
    path,
    ...(v.request.body === undefined ? {} : { body: render(v.request.body, values) }),
  });
  if (answer.status < 200 || answer.status > 299) {
    throw new PatchbayError(
      'provider_unreachable',
      `the provider's webhook verification answered ${answer.status}; the delivery will be retried`,
      { details: { status: answer.status } },
    );
  }
  const verdict = parseJson(answer.text);
  if (verdict === NOT_JSON) {
    throw new PatchbayError(
      'provider_unreachable',
      "the provider's webhook verification answered with a body that is not JSON; the delivery will be retried",
    );
  }
  return valueAt(verdict, v.verdict.path) === v.verdict.equals
    ? OK
    : reject('webhook_signature_invalid', 'the provider did not confirm the signature of this delivery');
}
