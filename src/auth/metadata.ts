/**
 * Connection metadata read at connect time: fields of the token response (Slack's `team.id`,
 * Salesforce's `instance_url`) and of the definition's one metadata request (Mailchimp's data
 * center, HubSpot's hub id).
 *
 * The metadata request is sent with the injected (SSRF-guarded) fetch, not through the proxy's
 * ProviderCaller: it has its own absolute URL and headers in the definition, and it runs before
 * the proxy can build a base URL at all (Mailchimp's base URL needs the `dc` this request
 * returns; its metadata endpoint is on another host).
 *
 * Fields marked `secret` (Messenger's page access token) are derived credentials: they are left
 * out of the returned metadata, which is shown in the API and dashboard.
 */
import type { ConnectionMetadataSpec } from '../catalog/auth.ts';
import { PatchbayError } from '../errors/index.ts';
import { isObject, scalarText, valueAt } from '../values/path.ts';
import { renderText, renderUrl } from './values.ts';

type Fields = Record<string, { path: string; secret: boolean }>;

/** The non-secret fields of `fields` read from a JSON body, as text. */
export function readFields(fields: Fields, body: Record<string, unknown>): Record<string, string> {
  return readSome(fields, body, false);
}

/** The fields marked `secret`: derived credentials, kept encrypted with the connection's tokens. */
export function readSecretFields(fields: Fields, body: Record<string, unknown>): Record<string, string> {
  return readSome(fields, body, true);
}

function readSome(fields: Fields, body: Record<string, unknown>, secret: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, field] of Object.entries(fields)) {
    if (field.secret !== secret) continue;
    const value = scalarText(valueAt(body, field.path));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** What the metadata request answered; `body` is the parsed JSON object or null. */
export interface MetadataResponse {
  status: number;
  body: Record<string, unknown> | null;
}

/** Sends the definition's metadata request. Throws `provider_unreachable` on a transport failure. */
export async function sendMetadataRequest(
  request: NonNullable<ConnectionMetadataSpec['request']>,
  values: Record<string, string>,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): Promise<MetadataResponse> {
  const url = renderUrl(request.url, values);
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, template] of Object.entries(request.headers))
    headers[name] = renderText(template, values);
  const init: RequestInit = { method: request.method, headers, redirect: 'manual' };
  if (signal) init.signal = signal;
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (cause) {
    if (cause instanceof PatchbayError) throw cause;
    throw new PatchbayError(
      'provider_unreachable',
      'The provider could not be reached for account details; try again',
      {
        details: { stage: 'metadata' },
        cause,
      },
    );
  }
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = await response.json();
    if (isObject(parsed)) body = parsed;
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

/** Reads the metadata request's fields; throws `oauth_exchange_failed` (502) when it did not answer 2xx JSON. */
export async function requestMetadata(
  request: NonNullable<ConnectionMetadataSpec['request']>,
  values: Record<string, string>,
  fetchImpl: typeof fetch,
): Promise<{ metadata: Record<string, string>; secrets: Record<string, string> }> {
  const response = await sendMetadataRequest(request, values, fetchImpl);
  if (response.status < 200 || response.status > 299 || response.body === null) {
    throw new PatchbayError(
      'oauth_exchange_failed',
      `The provider answered ${response.status} when asked for account details; try connecting again`,
      { details: { stage: 'metadata', status: response.status }, status: 502 },
    );
  }
  return {
    metadata: readFields(request.fields, response.body),
    secrets: readSecretFields(request.fields, response.body),
  };
}
