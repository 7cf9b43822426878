/** The frame of every signed-in page: navigation, environment switch, theme, sign-out. */
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { NavLink, Outlet } from 'react-router';
import { api, call } from '../api/http.ts';
import { useSession, useSessionChanged } from '../session.tsx';
import { ErrorState } from './states.tsx';

type Theme = 'system' | 'light' | 'dark';
const THEME_KEY = 'patchbay-dashboard-theme';

function useTheme(): [Theme, (theme: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(() => {
    const saved = localStorage.getItem(THEME_KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  });
  useEffect(() => {
    if (theme === 'system') {
      delete document.documentElement.dataset.theme;
      localStorage.removeItem(THEME_KEY);
    } else {
      document.documentElement.dataset.theme = theme;
      localStorage.setItem(THEME_KEY, theme);
    }
  }, [theme]);
  return [theme, setTheme];
}

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/connections', label: 'Connections', end: false },
  { to: '/sync-runs', label: 'Sync runs', end: false },
  { to: '/inbound-events', label: 'Inbound', end: false },
  { to: '/endpoints', label: 'Endpoints', end: false },
  { to: '/messages', label: 'Messages', end: false },
] as const;

export function Layout() {
  const session = useSession();
  const changed = useSessionChanged();
  const [theme, setTheme] = useTheme();
  const signOut = useMutation({
    mutationFn: () => call(() => api.v1.deleteDashboardSession()),
    onSuccess: () => changed(null),
  });
  const switchEnvironment = useMutation({
    mutationFn: (environmentId: string) => call(() => api.v1.switchDashboardEnvironment({ environmentId })),
    onSuccess: changed,
  });

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <strong className="brand">Patchbay</strong>
        <nav aria-label="Dashboard">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="top-tools">
          <label>
            Environment{' '}
            <select
              value={session.environment.id}
              disabled={session.environments.length < 2 || switchEnvironment.isPending}
              onChange={(event) => switchEnvironment.mutate(event.target.value)}
              title={
                session.signedInWith === 'apiKey'
                  ? "A key's session stays in its environment: sign in with another environment's key to switch"
                  : undefined
              }
            >
              {session.environments.map((environment) => (
                <option key={environment.id} value={environment.id}>
                  {environment.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Theme{' '}
            <select value={theme} onChange={(event) => setTheme(event.target.value as Theme)}>
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <span className="who">{session.operator?.email ?? 'API key session'}</span>
          <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            Sign out
          </button>
        </div>
      </header>
      {signOut.isError ? <ErrorState error={signOut.error} /> : null}
      {switchEnvironment.isError ? <ErrorState error={switchEnvironment.error} /> : null}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
