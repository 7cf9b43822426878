/**
 * Durations as scripts write them (`30s`, `15m`, `1h`, `1d`, `2h30m`): sync frequencies and the
 * like. One strict grammar, so a typo fails at load time instead of scheduling something odd.
 */
import { PatchbayError } from '../errors/index.ts';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;

// Units in decreasing order, each at most once: `1d12h`, `2h30m`, `90s`.
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** The longest duration accepted: a year, far beyond any schedule, well inside safe integers. */
export const MAX_DURATION_MS = 365 * UNIT_MS.d;

/**
 * Parses a duration into milliseconds. Throws `invalid_request` for anything else than
 * `<n>d<n>h<n>m<n>s` with at least one part, units in that order, and a total above zero and at
 * most a year.
 *
 * @example
 * parseDuration('2h30m'); // 9_000_000
 */
export function parseDuration(text: string): number {
  const match = typeof text === 'string' && text !== '' ? DURATION.exec(text) : null;
  if (!match) {
    throw new PatchbayError(
      'invalid_request',
      `"${String(text)}" is not a duration: write it like 30s, 15m, 1h, 1d or 2h30m`,
      { details: { value: text } },
    );
  }
  const [, d, h, m, s] = match;
  const ms =
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s;
  if (ms <= 0) {
    throw new PatchbayError('invalid_request', `Duration "${text}" must be longer than zero`, {
      details: { value: text },
    });
  }
  if (ms > MAX_DURATION_MS) {
    throw new PatchbayError('invalid_request', `Duration "${text}" is longer than a year`, {
      details: { value: text },
    });
  }
  return ms;
}
