/**
 * Recording events: every change the API (or the emulator's controls) makes records the event
 * Stripe documents for it in the account's event log — with a snapshot of the object after the
 * change — and hands it to webhook delivery. `previousAttributes` compares two snapshots the way
 * Stripe's `data.previous_attributes` reads: the earlier values of the top-level fields that
 * changed, and inside hashes such as `metadata` only the keys that changed (null for new ones).
 */
import { type Scope, STRIPE_API_VERSION } from './context.ts';
import { newId } from './ids.ts';
import type { EventRecord, EventType } from './objects/event.ts';

/** Records an event; `platformId` limits Connect delivery to one platform (Connect's own events). */
export function recordEvent(
  scope: Scope,
  type: EventType,
  object: object,
  previousAttributes?: Record<string, unknown>,
  platformId?: string,
): EventRecord {
  const { account } = scope;
  const event: EventRecord = {
    id: newId('evt'),
    created: Math.floor(scope.core.clock.now() / 1000),
    seq: account.nextSeq(),
    type,
    // A deep copy: later changes to the same object must not alter what this event says.
    object: structuredClone(object),
    previousAttributes,
    account: account.kind === 'connected' ? account.id : undefined,
    request: scope.request,
    apiVersion: STRIPE_API_VERSION,
    pendingWebhooks: 0,
  };
  account.events.add(event);
  scope.core.webhooks.dispatch(event, account, platformId);
  return event;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Stripe's `previous_attributes` from the object before and after a change (undefined if none). */
export function previousAttributes(before: object, after: object): Record<string, unknown> | undefined {
  const diff = diffObjects(before as Record<string, Json>, after as Record<string, Json>);
  return Object.keys(diff).length === 0 ? undefined : diff;
}

function diffObjects(before: Record<string, Json>, after: Record<string, Json>): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[key];
    const is = after[key];
    if (same(was, is)) continue;
    if (isHash(was) && isHash(is) && key === 'metadata') {
      previous[key] = diffHash(was, is);
    } else {
      previous[key] = was ?? null;
    }
  }
  return previous;
}

function diffHash(before: Record<string, Json>, after: Record<string, Json>): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!same(before[key], after[key])) previous[key] = before[key] ?? null;
  }
  return previous;
}

function isHash(value: Json | undefined): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
