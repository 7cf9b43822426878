/**
 * What else happens when an inbound event is processed, per provider: the hook point for later
 * features (start a sync of the connection, update an invoice). A trigger runs inside the
 * transaction that marks the event processed and emits its events, so its effects commit with
 * them or not at all. The registry starts empty; features register their triggers at assembly.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { RoutedConnection } from './routing.ts';

export interface TriggerContext {
  trx: Kysely<Database>;
  environmentId: string;
  inboundEventId: string;
  integrationId: string;
  provider: string;
  /** The provider's event type as received (`invoice.paid`, `orders/create`). */
  providerEventType: string | null;
  connections: readonly RoutedConnection[];
  /** The parsed body (for a batch delivery, the event's item). */
  payload: unknown;
  /** When the event was received (epoch ms). */
  receivedAt: number;
}

export type InboundTrigger = (context: TriggerContext) => Promise<void>;

export interface TriggerRegistry {
  /** Adds a trigger for a provider's events (`*`: every provider). */
  register(provider: string, trigger: InboundTrigger): void;
  /** The triggers that run for `provider`'s events, in registration order. */
  triggersFor(provider: string): readonly InboundTrigger[];
}

export function createTriggerRegistry(): TriggerRegistry {
  const byProvider = new Map<string, InboundTrigger[]>();
  return {
    register(provider, trigger) {
      const list = byProvider.get(provider) ?? [];
      list.push(trigger);
      byProvider.set(provider, list);
    },
    triggersFor(provider) {
      return [...(byProvider.get('*') ?? []), ...(byProvider.get(provider) ?? [])];
    },
  };
}
