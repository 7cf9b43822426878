/**
 * Events a script emits (`ctx.events.emit`): validated when emitted, so a script with a wrong
 * field fails at the line that built it, and held until the engine writes them in the
 * transaction of what the script's run commits (an action run's outcome, a webhook handler's
 * record updates). The engine adds the connection's identities; a script supplies only its part.
 */
import type { Connection } from '../connections/types.ts';
import { PatchbayError } from '../errors/index.ts';
import {
  isScriptEventType,
  type NewEvent,
  SCRIPT_EVENT_CATALOG,
  type ScriptEventData,
  type ScriptEventType,
} from '../events/index.ts';

/** How scripts emit events. */
export interface ScriptEvents {
  /**
   * Queues an event of a script type (`invoice.paid`, `message.fallback_required`…, see
   * docs/events.md). It is written with the run's outcome, whether the run then succeeds or
   * fails: it reports something that already happened at the provider. Throws
   * `script_event_invalid` when the type is not one scripts emit or the data does not match it.
   */
  emit<T extends ScriptEventType>(type: T, data: ScriptEventData<T>): void;
}

/** An emitted event, validated, waiting for its transaction. */
export interface PendingScriptEvent {
  type: ScriptEventType;
  data: Record<string, unknown>;
}

/** Collects one run's events: `events` goes to the script, `drain` to whoever writes them. */
export function createEventCollector(): { events: ScriptEvents; drain(): PendingScriptEvent[] } {
  let pending: PendingScriptEvent[] = [];
  return {
    events: {
      emit(type, data) {
        pending.push(validScriptEvent(type, data));
      },
    },
    drain() {
      const out = pending;
      pending = [];
      return out;
    },
  };
}

function validScriptEvent(type: string, data: unknown): PendingScriptEvent {
  if (!isScriptEventType(type)) {
    throw new PatchbayError('script_event_invalid', `Scripts cannot emit events of type "${type}"`, {
      details: { type, allowed: Object.keys(SCRIPT_EVENT_CATALOG) },
    });
  }
  const parsed = SCRIPT_EVENT_CATALOG[type].data.safeParse(data);
  if (!parsed.success) {
    throw new PatchbayError('script_event_invalid', `The data of a "${type}" event does not match its type`, {
      details: {
        type,
        issues: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    });
  }
  return { type, data: parsed.data as Record<string, unknown> };
}

/** The outbox entry of a pending event, with the identities of the connection it is about. */
export function scriptEventOf(connection: Connection, event: PendingScriptEvent): NewEvent {
  return {
    environmentId: connection.environmentId,
    type: event.type,
    data: {
      ...event.data,
      connectionId: connection.id,
      integrationId: connection.integrationId,
      integrationKey: connection.integrationKey,
      provider: connection.provider,
      endUserId: connection.endUser.id,
    },
  } as NewEvent;
}
