/** Instants as the API shows them: ISO 8601 in UTC with milliseconds (`2026-01-01T00:00:00.000Z`). */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** `isoTime`, keeping an absent instant absent. */
export function isoTimeOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : isoTime(epochMs);
}
