/**
 * The headers of a delivery worth keeping with it: what verified it (signature, timestamp), what
 * identifies it (event id, topic, shop), and the content type. Never cookies or credentials:
 * the stored row is shown by the API.
 */
import type { Webhooks } from '../catalog/index.ts';

const NEVER = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** Provider header families that carry signatures, ids, timestamps, topics and shop domains. */
const PROVIDER_HEADERS =
  /^(content-type|user-agent|stripe-signature|webhook-(id|timestamp|signature)|svix-(id|timestamp|signature)|x-shopify-.+|x-hub-signature(-256)?|x-github-(event|delivery|hook-id)|x-slack-(signature|request-timestamp|retry-num|retry-reason)|x-hubspot-.+|x-square-.+|paypal-.+|x-wc-webhook-.+|x-airtable-.+|x-twilio-email-event-webhook-.+|x-mailchimp-.+)$/;

/** The definition's own headers (signature, timestamp, id, type, routing) are always kept. */
function definitionHeaders(webhooks: Webhooks): Set<string> {
  const names = new Set<string>();
  const v = webhooks.verification as Record<string, unknown>;
  for (const key of ['header', 'timestampHeader']) {
    if (typeof v[key] === 'string') names.add(v[key]);
  }
  if (webhooks.eventIdHeader) names.add(webhooks.eventIdHeader);
  if (webhooks.eventTypeHeader) names.add(webhooks.eventTypeHeader);
  if (webhooks.routing.from === 'header') names.add(webhooks.routing.header);
  return names;
}

/** The subset of `headers` (lower-cased names) to store with the event. */
export function keptHeaders(
  webhooks: Webhooks,
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const own = definitionHeaders(webhooks);
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (NEVER.has(name)) continue;
    if (own.has(name) || PROVIDER_HEADERS.test(name)) kept[name] = value;
  }
  return kept;
}
