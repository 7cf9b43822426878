/**
 * The signed-in session: read from GET /v1/dashboard/session (the cookie is httpOnly, so the page
 * never sees it). Without a session every page shows the sign-in form instead.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import type { ApiDashboardSession } from './api/client.ts';
import { ApiFailure, api, call, setCsrfToken } from './api/http.ts';
import { ErrorState, Loading } from './components/states.tsx';
import { SignIn } from './pages/sign-in.tsx';

const SessionContext = createContext<ApiDashboardSession | null>(null);

export const SESSION_KEY = ['dashboard-session'] as const;

/** Loads the session; renders the sign-in form when there is none. */
export function SessionGate({ children }: { children: ReactNode }) {
  const session = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      try {
        const current = await call(() => api.v1.getDashboardSession());
        setCsrfToken(current.csrfToken);
        return current;
      } catch (error) {
        if (error instanceof ApiFailure && error.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (session.isPending) return <Loading what="your session" />;
  if (session.isError) return <ErrorState error={session.error} />;
  if (!session.data) return <SignIn />;
  return <SessionContext value={session.data}>{children}</SessionContext>;
}

/** The current session (inside SessionGate). */
export function useSession(): ApiDashboardSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside <SessionGate>');
  return session;
}

/** Replaces the cached session (after sign-in or an environment switch) and drops other data. */
export function useSessionChanged(): (session: ApiDashboardSession | null) => void {
  const client = useQueryClient();
  return (session) => {
    setCsrfToken(session?.csrfToken ?? null);
    // Everything cached belongs to the previous environment or session.
    client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
    client.setQueryData(SESSION_KEY, session);
  };
}
