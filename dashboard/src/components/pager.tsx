/**
 * Cursor paging kept in the URL (`?after=…`), so every page of a list is linkable. The API pages
 * forward only; "First page" drops the cursor.
 */
import { Link, useSearchParams } from 'react-router';

export function Pager({ nextAfter }: { nextAfter: string | null }) {
  const [params] = useSearchParams();
  const first = new URLSearchParams(params);
  first.delete('after');
  const next = new URLSearchParams(params);
  if (nextAfter) next.set('after', nextAfter);
  return (
    <nav className="pager" aria-label="Pages">
      {params.has('after') ? <Link to={`?${first}`}>First page</Link> : null}
      {nextAfter ? <Link to={`?${next}`}>Next page</Link> : null}
    </nav>
  );
}

/** The list filters in the URL, and a setter that keeps the others and resets the cursor. */
export function useFilters<K extends string>(
  keys: readonly K[],
): [Partial<Record<K, string>> & { after?: string }, (key: K, value: string) => void] {
  const [params, setParams] = useSearchParams();
  const values: Record<string, string> = {};
  for (const key of [...keys, 'after']) {
    const value = params.get(key);
    if (value) values[key] = value;
  }
  const set = (key: K, value: string) => {
    const nextParams = new URLSearchParams(params);
    if (value) nextParams.set(key, value);
    else nextParams.delete(key);
    nextParams.delete('after');
    setParams(nextParams);
  };
  return [values as Partial<Record<K, string>> & { after?: string }, set];
}
