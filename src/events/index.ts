/** Patchbay's own events, written to the outbox in the transaction of the change they report. */
export {
  type CatalogEventType,
  type ConnectionEventData,
  EVENT_CATALOG,
  EVENT_TYPE_DEFINITIONS,
  EVENT_TYPE_PATTERN,
  EVENT_TYPES,
  type EventDataMap,
  type EventType,
  type EventTypeDefinition,
  eventDataJsonSchema,
  eventTypeDefinition,
  INBOUND_EVENT,
  type InboundEventType,
  isReservedEventType,
  RESERVED_PREFIXES,
} from './catalog.ts';
export {
  appendEvent,
  checkEvent,
  type ListEventsOptions,
  listEvents,
  type NewEvent,
  type OutboxDeps,
  onEventAppended,
  type StoredEvent,
  typePrefix,
} from './outbox.ts';
export {
  isScriptEventType,
  SCRIPT_EVENT_CATALOG,
  type ScriptEventData,
  type ScriptEventDefinition,
  type ScriptEventType,
} from './script-events.ts';
export { createEventStream, type EventStream, type EventStreamOptions } from './stream.ts';
