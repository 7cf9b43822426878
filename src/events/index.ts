/** Patchbay's own events, written to the outbox in the transaction of the change they report. */
export {
  appendEvent,
  type ConnectionEventData,
  EVENT_TYPES,
  type EventDataMap,
  type EventType,
  type ListEventsOptions,
  listEvents,
  type NewEvent,
  type OutboxDeps,
  type StoredEvent,
} from './outbox.ts';
