/**
 * The connect flow as a route module: the page the host opens in a popup (`/connect?session=…`),
 * its API authenticated with the session token, provider logos and the OAuth callback.
 *
 * How the pieces talk: the SDK's `connect()` opens the page in a popup; the page lists the
 * session's integrations; key-based ones post their form to `/connect/api/credentials`, OAuth
 * ones get an authorization URL from `/connect/api/oauth/start` and open it in a second popup,
 * which the provider sends back to `/connect/oauth/callback`. That page posts its outcome to the
 * connect page (target origin: Patchbay's own), which relays the final result to the host page
 * (target origin: the session's allowedOrigin).
 */
import type { RouteModule } from '../core/routes.ts';
import { connectPageApi } from './flow-api.ts';
import type { ConnectFlowDeps } from './flow-deps.ts';
import { registerConnectPages } from './flow-pages.ts';

export type { ConnectFlowDeps } from './flow-deps.ts';

/**
 * The connect page's routes. Give buildApi the same sessions service as `connectSessions`, so
 * its auth hook can authenticate the page API's session tokens.
 */
export function connectFlowRoutes(deps: ConnectFlowDeps): RouteModule {
  const normalized = { ...deps, publicUrl: deps.publicUrl.replace(/\/+$/, '') };
  return {
    name: 'connect-flow',
    routes: connectPageApi(normalized),
    register: (app) => registerConnectPages(app, normalized),
  };
}
