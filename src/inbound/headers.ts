/**
 * The headers of a delivery worth keeping with it: what verified it (signature, timestamp), what
 * identifies it (event id, type, routing), what its definition's `keepHeaders` names, and the
 * content type and user agent. The definition says which: the engine knows no provider's headers.
 * Never cookies or credentials, whatever a definition says: the stored row is shown by the API.
 */
import { NEVER_KEPT_HEADERS, type Webhooks } from '../catalog/index.ts';
import { signatureHeaders } from './verify/index.ts';

const ALWAYS = ['content-type', 'user-agent'];

interface Kept {
  names: Set<string>;
  /** Header families (`x-shopify-` of `x-shopify-*`). */
  prefixes: string[];
}

// Definitions are frozen and shared: each one's set is worked out once.
const keptByDefinition = new WeakMap<Webhooks, Kept>();

function keptOf(webhooks: Webhooks): Kept {
  const known = keptByDefinition.get(webhooks);
  if (known) return known;
  const names = new Set([...ALWAYS, ...signatureHeaders(webhooks.verification)]);
  if (webhooks.eventIdHeader) names.add(webhooks.eventIdHeader);
  if (webhooks.eventTypeHeader) names.add(webhooks.eventTypeHeader);
  if (webhooks.routing.from === 'header') names.add(webhooks.routing.header);
  const prefixes: string[] = [];
  for (const entry of webhooks.keepHeaders) {
    if (entry.endsWith('*')) prefixes.push(entry.slice(0, -1));
    else names.add(entry);
  }
  const kept = { names, prefixes };
  keptByDefinition.set(webhooks, kept);
  return kept;
}

/** The subset of `headers` (lower-cased names) to store with the event. */
export function keptHeaders(
  webhooks: Webhooks,
  headers: Readonly<Record<string, string>>,
): Record<string, string> {
  const { names, prefixes } = keptOf(webhooks);
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (NEVER_KEPT_HEADERS.includes(name)) continue;
    if (names.has(name) || prefixes.some((prefix) => name.startsWith(prefix))) kept[name] = value;
  }
  return kept;
}
