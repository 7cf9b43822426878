/**
 * The operator dashboard's entry: server state in TanStack Query, routes under /dashboard. Pages
 * load as their own chunks, so the first visit downloads only the shell (the build's budget).
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Link, RouterProvider } from 'react-router';
import { Layout } from './components/layout.tsx';
import { Loading } from './components/states.tsx';
import { SessionGate } from './session.tsx';
import './styles.css';

const Overview = lazy(() => import('./pages/overview.tsx'));
const Connections = lazy(() => import('./pages/connections.tsx'));
const Connection = lazy(() => import('./pages/connection.tsx'));
const SyncRuns = lazy(() => import('./pages/sync-runs.tsx'));
const SyncRun = lazy(() => import('./pages/sync-run.tsx'));
const InboundEvents = lazy(() => import('./pages/inbound-events.tsx'));
const InboundEvent = lazy(() => import('./pages/inbound-event.tsx'));
const Endpoints = lazy(() => import('./pages/endpoints.tsx'));
const Endpoint = lazy(() => import('./pages/endpoint.tsx'));
const Messages = lazy(() => import('./pages/messages.tsx'));
const Message = lazy(() => import('./pages/message.tsx'));

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        This dashboard has no such page. <Link to="/">Go to the overview</Link>.
      </p>
    </>
  );
}

function page(element: React.ReactNode) {
  return <Suspense fallback={<Loading what="the page" />}>{element}</Suspense>;
}

const router = createBrowserRouter(
  [
    {
      element: (
        <SessionGate>
          <Layout />
        </SessionGate>
      ),
      children: [
        { index: true, element: page(<Overview />) },
        { path: 'connections', element: page(<Connections />) },
        { path: 'connections/:id', element: page(<Connection />) },
        { path: 'sync-runs', element: page(<SyncRuns />) },
        { path: 'sync-runs/:id', element: page(<SyncRun />) },
        { path: 'inbound-events', element: page(<InboundEvents />) },
        { path: 'inbound-events/:id', element: page(<InboundEvent />) },
        { path: 'endpoints', element: page(<Endpoints />) },
        { path: 'endpoints/:id', element: page(<Endpoint />) },
        { path: 'messages', element: page(<Messages />) },
        { path: 'messages/:id', element: page(<Message />) },
        { path: '*', element: <NotFound /> },
      ],
    },
  ],
  { basename: '/dashboard' },
);

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 10_000, refetchOnWindowFocus: true } },
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
