/**
 * `Retry-After` (RFC 9110 §10.2.3), the one reader of it for the proxy, the token endpoint calls
 * and outbound deliveries. Returns milliseconds from `now`, or undefined when the header is
 * absent or unreadable.
 *
 * - delay-seconds: `120`. Fractional seconds (`1.5`) are not in the RFC but some providers send
 *   them; honouring the wait (rounded up to the millisecond) is safer than retrying at once.
 * - an HTTP date in any of the three forms the RFC allows (IMF-fixdate, RFC 850, asctime), each
 *   beginning with a day name; never negative. Date.parse alone would take far more (bare
 *   numbers, `2026-01-01`), so the form is checked first.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (/^\d+\.\d+$/.test(text)) return Math.ceil(Number(text) * 1000);
  if (!/^[A-Za-z]{3,9},? /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
