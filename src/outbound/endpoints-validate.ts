/**
 * Checks of an endpoint's settings, shared by create and update. Every failure is one
 * `validation_failed` listing each field that failed (`{ issues: [{ path, message }] }`), so the
 * API answers 400 naming the fields. The SSRF guard is not here: a URL's host is resolved and
 * checked at delivery time, on every attempt, because DNS answers change.
 */
import { PatchbayError } from '../errors/index.ts';
import { EVENT_TYPE_PATTERN } from '../events/index.ts';
import { isHeaderName, isHeaderValue, isReservedHeader } from './header-rules.ts';

/** One field that failed, in the shape the API uses for validation details. */
export interface FieldIssue {
  path: string;
  message: string;
}

export const MAX_URL_LENGTH = 2000;
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MAX_EVENT_TYPES = 100;
export const MAX_CHANNELS = 10;
export const MAX_HEADERS = 20;
export const MAX_HEADER_VALUE_LENGTH = 4096;
export const MAX_RATE_LIMIT_PER_SECOND = 10_000;
export const MAX_CONCURRENCY = 100;
export const DEFAULT_MAX_CONCURRENCY = 10;

/** A prefix filter: `connection.*` takes every type under `connection.`. */
const EVENT_TYPE_PREFIX = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*\.\*$/;
const MAX_EVENT_TYPE_LENGTH = 200;
const CHANNEL = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Collects issues, then throws them together. */
export class IssueList {
  readonly issues: FieldIssue[] = [];
  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }
  throwIfAny(): void {
    const first = this.issues[0];
    if (!first) return;
    const more = this.issues.length > 1 ? ` (and ${this.issues.length - 1} more)` : '';
    throw new PatchbayError('validation_failed', `Invalid endpoint: ${first.path}: ${first.message}${more}`, {
      details: { issues: this.issues },
    });
  }
}

export function checkUrl(issues: IssueList, url: string): void {
  if (url.length > MAX_URL_LENGTH) {
    issues.add('url', `use at most ${MAX_URL_LENGTH} characters`);
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    issues.add('url', 'give an absolute http(s) URL, e.g. https://example.com/webhooks');
    return;
  }
  if (url !== url.trim()) issues.add('url', 'remove the surrounding whitespace');
  else if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    issues.add('url', `use an http(s) URL; "${parsed.protocol}" is not delivered to`);
  else if (parsed.username !== '' || parsed.password !== '')
    issues.add(
      'url',
      'remove the credentials from the URL; send them in a custom `authorization` header instead',
    );
  else if (parsed.hostname === '') issues.add('url', 'give a URL with a host');
}

export function checkDescription(issues: IssueList, description: string | null): void {
  if (description !== null && description.length > MAX_DESCRIPTION_LENGTH)
    issues.add('description', `use at most ${MAX_DESCRIPTION_LENGTH} characters`);
}

export function checkEventTypes(issues: IssueList, eventTypes: readonly string[] | null): void {
  if (eventTypes === null) return;
  if (eventTypes.length === 0)
    issues.add('eventTypes', 'list at least one event type, or use null for every type');
  if (eventTypes.length > MAX_EVENT_TYPES)
    issues.add('eventTypes', `list at most ${MAX_EVENT_TYPES} event types`);
  eventTypes.forEach((type, index) => {
    // Exact types have the catalog's shape (lower-case segments, at least two).
    const valid =
      typeof type === 'string' &&
      type.length <= MAX_EVENT_TYPE_LENGTH &&
      (EVENT_TYPE_PATTERN.test(type) || EVENT_TYPE_PREFIX.test(type));
    if (!valid) {
      issues.add(
        `eventTypes.${index}`,
        'use an event type such as "connection.created", or a prefix such as "connection.*"',
      );
    }
  });
}

export function checkChannels(issues: IssueList, channels: readonly string[] | null): void {
  if (channels === null) return;
  if (channels.length === 0)
    issues.add('channels', 'list at least one channel, or use null for every message');
  if (channels.length > MAX_CHANNELS) issues.add('channels', `list at most ${MAX_CHANNELS} channels`);
  channels.forEach((channel, index) => {
    if (typeof channel !== 'string' || !CHANNEL.test(channel))
      issues.add(`channels.${index}`, 'use 1 to 128 letters, digits and the characters _ . : -');
  });
}

/** Returns the headers with lower-cased names (so duplicates that differ in case are caught). */
export function checkHeaders(issues: IssueList, headers: Record<string, string>): Record<string, string> {
  const clean: Record<string, string> = {};
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) issues.add('headers', `set at most ${MAX_HEADERS} headers`);
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    const path = `headers.${name.slice(0, 100)}`;
    if (!isHeaderName(name))
      issues.add(path, 'a header name is 1 to 100 token characters (letters, digits, - …)');
    else if (isReservedHeader(lower))
      issues.add(path, `"${lower}" is set by the delivery itself and cannot be overridden`);
    else if (Object.hasOwn(clean, lower))
      issues.add(path, 'this header is given twice (names are case-insensitive)');
    else if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE_LENGTH || !isHeaderValue(value))
      issues.add(
        path,
        `a header value is at most ${MAX_HEADER_VALUE_LENGTH} visible ASCII characters, spaces and tabs: no line breaks, control or non-ASCII characters (percent-encode those)`,
      );
    else clean[lower] = value;
  }
  return clean;
}

export function checkRateLimit(issues: IssueList, perSecond: number | null): void {
  if (perSecond === null) return;
  if (!Number.isInteger(perSecond) || perSecond < 1 || perSecond > MAX_RATE_LIMIT_PER_SECOND)
    issues.add(
      'rateLimitPerSecond',
      `use a whole number from 1 to ${MAX_RATE_LIMIT_PER_SECOND}, or null for no limit`,
    );
}

export function checkConcurrency(issues: IssueList, maxConcurrency: number): void {
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > MAX_CONCURRENCY)
    issues.add('maxConcurrency', `use a whole number from 1 to ${MAX_CONCURRENCY}`);
}

/** Grace period of a secret rotation: 0 (the old secret stops at once) to 7 days. */
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
export const DEFAULT_GRACE_SECONDS = 24 * 3600;

export function checkGraceSeconds(issues: IssueList, graceSeconds: number): void {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS)
    issues.add('graceSeconds', `use a whole number of seconds from 0 to ${MAX_GRACE_SECONDS} (7 days)`);
}

/**
 * Header names whose values are credentials (e.g. `authorization`, `x-api-key`): the API lists
 * their names but never shows their values.
 */
export function isSensitiveHeader(name: string): boolean {
  return /auth|token|secret|key|signature|password|cookie|session|credential/i.test(name);
}
