/**
 * Which endpoints take which messages. Pure functions, so the fan-out rules are tested without a
 * database.
 *
 * Channels follow Svix's semantics (and the Standard Webhooks ecosystem's receivers expect them):
 * - an endpoint without a channel filter (null) receives every message, with or without channels;
 * - an endpoint with channels receives only messages carrying at least one of them;
 * - so a message without channels reaches only endpoints without a channel filter.
 * This keeps a per-end-user endpoint (channel `user_42`) from receiving other users' or global
 * messages by accident.
 */

/** True when `eventType` is taken by a filter: null (every type), an exact type, or `prefix.*`. */
export function eventTypeMatches(filter: readonly string[] | null, eventType: string): boolean {
  if (filter === null) return true;
  return filter.some((entry) =>
    entry.endsWith('.*') ? eventType.startsWith(entry.slice(0, -1)) : entry === eventType,
  );
}

/** True when a message on `messageChannels` reaches an endpoint filtering on `endpointChannels`. */
export function channelsMatch(
  endpointChannels: readonly string[] | null,
  messageChannels: readonly string[] | null,
): boolean {
  if (endpointChannels === null) return true;
  if (messageChannels === null || messageChannels.length === 0) return false;
  return messageChannels.some((channel) => endpointChannels.includes(channel));
}
