/** The loading, error and empty states every page uses, announced to screen readers. */
import type { ReactNode } from 'react';
import { ApiFailure } from '../api/http.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiFailure ? error.code : null;
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>Something failed{code ? ` (${code})` : ''}:</strong> {message}
      </p>
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}
