/** Small presentational helpers shared by pages. Provider data is only ever rendered as text. */

/** A timestamp as local date and time, with the ISO value in a tooltip; `—` for none. */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span title="none">—</span>;
  const date = new Date(value);
  return (
    <time dateTime={value} title={value}>
      {date.toLocaleString()}
    </time>
  );
}

/** How far in the past or future a time is, in words ("in 3 h", "5 min ago"). */
export function relative(value: string, now: number = Date.now()): string {
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  const [amount, unit] =
    abs < 60
      ? [abs, 's']
      : abs < 3600
        ? [Math.round(abs / 60), 'min']
        : abs < 86_400
          ? [Math.round(abs / 3600), 'h']
          : [Math.round(abs / 86_400), 'd'];
  return seconds >= 0 ? `in ${amount} ${unit}` : `${amount} ${unit} ago`;
}

const TONES: Record<string, 'good' | 'bad' | 'warn' | 'neutral'> = {
  active: 'good',
  succeeded: 'good',
  delivered: 'good',
  processed: 'good',
  ready: 'good',
  refreshing: 'warn',
  queued: 'warn',
  running: 'warn',
  pending: 'warn',
  reauth_required: 'bad',
  error: 'bad',
  failed: 'bad',
  failing: 'bad',
  unrouted: 'warn',
  paused: 'warn',
  disconnected: 'neutral',
  cancelled: 'neutral',
};

/** A status as a coloured label; the text carries the meaning, the colour only repeats it. */
export function Status({ value }: { value: string }) {
  return <span className={`status status-${TONES[value] ?? 'neutral'}`}>{value.replaceAll('_', ' ')}</span>;
}

/** JSON shown as text in a scrollable block: never interpreted as markup. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
    <section className="json" tabIndex={0} aria-label={label}>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </section>
  );
}
