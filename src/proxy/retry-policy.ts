/**
 * Retry timing: exponential backoff with full jitter, and the waits a provider asks for in its
 * rate-limit headers (`Retry-After` itself is read by src/values/retry-after.ts).
 */
import type { RateLimit, Retry } from '../catalog/index.ts';

/**
 * The pause before attempt `attempt + 1` after `attempt` failed: a random point between
 * `baseDelayMs` and the exponential cap `baseDelayMs · 2^(attempt-1)` (at most `maxDelayMs`).
 */
export function backoffDelay(
  attempt: number,
  retry: Pick<Retry, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
): number {
  const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(retry.baseDelayMs + random() * (cap - retry.baseDelayMs));
}

/** Milliseconds until the provider's rate-limit window resets, from the definition's reset header. */
export function resetDelay(
  headers: Readonly<Record<string, string>>,
  limit: RateLimit | undefined,
  now: number,
): number | undefined {
  const name = limit?.headers.reset;
  const unit = limit?.headers.resetUnit;
  const raw = name === undefined ? undefined : headers[name];
  if (raw === undefined || unit === undefined) return undefined;
  const value = Number(raw.trim());
  if (!Number.isFinite(value) || value < 0) return undefined;
  switch (unit) {
    case 'seconds':
      return Math.ceil(value * 1000);
    case 'milliseconds':
      return Math.ceil(value);
    case 'epoch_seconds':
      return Math.max(0, Math.ceil(value * 1000 - now));
    case 'epoch_milliseconds':
      return Math.max(0, Math.ceil(value - now));
  }
}

/** The provider's remaining-requests count, when the definition names the header and it is a number. */
export function remainingRequests(
  headers: Readonly<Record<string, string>>,
  limit: RateLimit | undefined,
): number | undefined {
  const name = limit?.headers.remaining;
  const raw = name === undefined ? undefined : headers[name];
  if (raw === undefined) return undefined;
  const value = Number(raw.trim());
  return Number.isFinite(value) ? value : undefined;
}
