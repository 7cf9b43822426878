import { Cron } from 'croner';
import { PatchbayError } from '../errors/index.ts';

/**
 * The next instant (epoch ms) strictly after `after` at which a cron expression fires, read in
 * `timezone` (IANA name; UTC when absent). Standard syntax: 5 fields (minute precision) or 6
 * with seconds first; nicknames such as `@daily` work too. Daylight-saving gaps and repeats are
 * handled by croner: a fixed-time job in a gap runs right after it, and once on a repeated hour.
 * Throws `schedule_invalid` for a malformed expression, an unknown time zone, or an expression
 * that never fires again.
 */
export function nextCronRun(expression: string, timezone: string | null | undefined, after: number): number {
  const cron = parseCron(expression, timezone);
  let next: Date | null;
  try {
    next = cron.nextRun(new Date(after));
  } catch (cause) {
    throw invalid(`cannot compute the next run of "${expression}": ${(cause as Error).message}`, cause);
  }
  if (!next)
    throw invalid(`the cron expression "${expression}" never fires after ${new Date(after).toISOString()}`);
  return next.getTime();
}

function parseCron(expression: string, timezone: string | null | undefined): Cron {
  if (timezone) assertTimeZone(timezone);
  try {
    // No callback: croner only computes times, it starts no timer.
    return new Cron(expression, { mode: '5-or-6-parts', ...(timezone ? { timezone } : {}) });
  } catch (cause) {
    throw invalid(`"${expression}" is not a valid cron expression: ${(cause as Error).message}`, cause);
  }
}

function assertTimeZone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch (cause) {
    throw invalid(`"${timezone}" is not a known IANA time zone (e.g. "Europe/Paris")`, cause);
  }
}

function invalid(message: string, cause?: unknown): PatchbayError {
  return new PatchbayError('schedule_invalid', message, { cause });
}
