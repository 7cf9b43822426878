/**
 * Webhook endpoints. `secret` is part of the answer to the create call only, as at Stripe.
 * A Connect endpoint (`connect=true` when created) receives the events of connected accounts.
 */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';

export interface WebhookEndpointRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  url: string;
  enabledEvents: string[];
  description: string | null;
  metadata: Record<string, string>;
  status: 'enabled' | 'disabled';
  readonly secret: string;
  readonly connect: boolean;
  readonly apiVersion: string | null;
  /** The platform's client id for Connect endpoints (Stripe names the application there). */
  readonly application: string | null;
}

export function webhookEndpointJson(
  endpoint: WebhookEndpointRecord,
  _view: View,
  withSecret = false,
): StripeJson<Stripe.WebhookEndpoint> {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint',
    api_version: endpoint.apiVersion,
    application: endpoint.application,
    created: endpoint.created,
    description: endpoint.description,
    enabled_events: [...endpoint.enabledEvents],
    livemode: false,
    metadata: { ...endpoint.metadata },
    ...(withSecret ? { secret: endpoint.secret } : {}),
    status: endpoint.status,
    url: endpoint.url,
  };
}

export function deletedWebhookEndpointJson(id: string): StripeJson<Stripe.DeletedWebhookEndpoint> {
  return { id, object: 'webhook_endpoint', deleted: true };
}

/** Whether an event of `type` goes to this endpoint. */
export function endpointWants(endpoint: WebhookEndpointRecord, type: string): boolean {
  return (
    endpoint.status === 'enabled' &&
    (endpoint.enabledEvents.includes('*') || endpoint.enabledEvents.includes(type))
  );
}
