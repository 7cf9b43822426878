/**
 * The candidate keys a delivery is verified with, by the definition's `secretFrom`: the
 * integration's webhook secret, its OAuth client secret, or the routed connections' own webhook
 * secrets — those the provider returned when the engine registered the connection's webhooks
 * (src/webhook-subscriptions) first, then one the host set by hand. For URL tokens kept per
 * connection, the token's hash finds the connection (the host-issued URL's or the one the engine
 * registered), and the token itself is then the one candidate.
 */
import type { Webhooks, WebhookVerification } from '../catalog/index.ts';
import type { ConnectionsService } from '../connections/types.ts';
import type { IntegrationsService } from '../integrations/types.ts';
import type { ResolvedIntegration } from '../ports/connections.ts';
import type { Store } from '../store/index.ts';
import { decodeBody } from './payload.ts';
import { byKey, routingValue } from './routing.ts';
import type { IncomingDelivery } from './types.ts';

/**
 * Webhook URLs and signing secrets another module keeps per connection: the webhook
 * subscriptions module, for the subscriptions it registered at the provider.
 */
export interface ManagedWebhookKeys {
  /** The connection of the integration whose registered URL carries `token`; null when none. */
  findByWebhookToken(environmentId: string, integrationId: string, token: string): Promise<string | null>;
  /** The signing secrets kept for each of the given connections of the environment (those with any). */
  webhookSecrets(environmentId: string, ids: readonly string[]): Promise<Map<string, string[]>>;
}

export interface SecretSources {
  store: Pick<Store, 'db'>;
  integrations: Pick<IntegrationsService, 'webhookSecret'>;
  connections: Pick<ConnectionsService, 'findByWebhookToken' | 'webhookSecrets'>;
  managed?: ManagedWebhookKeys;
}

export interface DeliverySecrets {
  secrets: string[];
  /** Connections the delivery is known to belong to already (the URL token's). */
  connectionIds: string[];
}

/** The URL token of a delivery (query parameter or last path segment); null when absent. */
export function urlToken(
  verification: WebhookVerification,
  url: URL,
  pathToken: string | undefined,
): string | null {
  if (verification.scheme !== 'url_token') return pathToken ?? null;
  if (verification.location === 'path') return pathToken ?? null;
  return url.searchParams.get(verification.param);
}

export async function secretsFor(
  sources: SecretSources,
  integration: ResolvedIntegration,
  webhooks: Webhooks,
  delivery: IncomingDelivery,
  pathToken: string | undefined,
): Promise<DeliverySecrets> {
  const verification = webhooks.verification;
  const from = 'secretFrom' in verification ? verification.secretFrom : 'connection';
  if (from === 'integration') {
    const secret = await sources.integrations.webhookSecret(integration.environmentId, integration.id);
    return { secrets: secret === null ? [] : [secret], connectionIds: await tokenConnection() };
  }
  if (from === 'client_secret') {
    return {
      secrets: integration.clientSecret === null ? [] : [integration.clientSecret],
      connectionIds: await tokenConnection(),
    };
  }
  // Per connection: first find the connection(s), then their keys.
  const token = urlToken(verification, delivery.url, pathToken);
  if (verification.scheme === 'url_token') {
    if (token === null) return { secrets: [], connectionIds: [] };
    const id = await connectionOfToken(token);
    // The hash matched: the token is the connection's. The verifier still compares it (constant time).
    return id === null ? { secrets: [], connectionIds: [] } : { secrets: [token], connectionIds: [id] };
  }
  let candidates: string[] = [];
  if (webhooks.routing.from === 'url') {
    const id = token === null ? null : await connectionOfToken(token);
    candidates = id === null ? [] : [id];
  } else if (webhooks.routing.from === 'header' || webhooks.routing.from === 'body') {
    const parsed = decodeBody(delivery.rawBody, delivery.headers['content-type'] ?? null).value;
    const value = routingValue(webhooks.routing, delivery.headers, parsed);
    if (value !== null) {
      const routed = await byKey(
        sources.store,
        integration.environmentId,
        integration.id,
        webhooks.routing.connectionKey,
        value,
      );
      candidates = routed.map((c) => c.id);
    }
  }
  const managed = sources.managed
    ? await sources.managed.webhookSecrets(integration.environmentId, candidates)
    : new Map<string, string[]>();
  const pasted = await sources.connections.webhookSecrets(integration.environmentId, candidates);
  return {
    secrets: [...[...managed.values()].flat(), ...pasted.values()],
    connectionIds: webhooks.routing.from === 'url' ? candidates : [],
  };

  async function tokenConnection(): Promise<string[]> {
    if (webhooks.routing.from !== 'url') return [];
    const token = urlToken(verification, delivery.url, pathToken);
    if (token === null) return [];
    const id = await connectionOfToken(token);
    return id === null ? [] : [id];
  }

  /** The connection a URL token belongs to: a URL the host issued, else one the engine registered. */
  async function connectionOfToken(token: string): Promise<string | null> {
    const { environmentId, id } = integration;
    return (
      (await sources.connections.findByWebhookToken(environmentId, id, token)) ??
      (await sources.managed?.findByWebhookToken(environmentId, id, token)) ??
      null
    );
  }
}
