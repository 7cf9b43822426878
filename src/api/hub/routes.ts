/**
 * The hub as a route module: the page (`/hub?session=…`), its script and styles, and its API
 * authenticated with the hub session token. Logos are the connect page's (`/connect/logos/…`);
 * Connect and Reconnect open the connect page itself, with a connect session the hub asks for.
 *
 * How the pieces talk: the host opens the hub (SDK `openHub()`, a redirect, or a frame on its
 * allowed origin). Connect opens the connect page in a popup, which posts its result to the hub
 * (target origin: Patchbay's own). Upgrade posts `{ type: 'upgrade_requested', integration, plan }`
 * to the host page (target origin: the session's allowedOrigin); the host may post
 * `{ type: 'patchbay:hub-refresh' }` back once the plan changed.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import type { ConnectSessionsService } from '../../connect/types.ts';
import { isPatchbayError, PatchbayError } from '../../errors/index.ts';
import type { HubOptions } from '../../hub/options.ts';
import type { HubService } from '../../hub/service.ts';
import { frameAncestorsFor, setPageHeaders } from '../connect/flow-html.ts';
import type { RouteModule } from '../core/routes.ts';
import { hubPageApi } from './api.ts';
import { type ColorScheme, hubPage } from './page.ts';

export interface HubPageDeps {
  hub: HubService;
  sessions: Pick<ConnectSessionsService, 'authenticate'>;
  /** Where browsers reach Patchbay. */
  publicUrl: string;
}

const UI_DIR = new URL('./ui/', import.meta.url);

// The only files served from ui/: a fixed list, so no request can name another file.
const ASSETS: Record<string, string> = {
  'hub.js': 'text/javascript; charset=utf-8',
  'hub.css': 'text/css; charset=utf-8',
};

const PUBLIC = { schema: { hide: true }, config: { auth: 'none' } } as const;
const SCHEMES: readonly ColorScheme[] = ['auto', 'light', 'dark'];

/** The hub page's routes. Give buildApi the same sessions service as `connectSessions`. */
export function hubPageRoutes(deps: HubPageDeps): RouteModule {
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  return {
    name: 'hub-page',
    routes: hubPageApi({ hub: deps.hub, publicUrl }),
    async register(app) {
      const assets = new Map<string, Buffer>();
      for (const name of Object.keys(ASSETS)) assets.set(name, await readFile(new URL(name, UI_DIR)));

      app.get('/hub', PUBLIC, async (request, reply) => {
        const query = request.query as { session?: unknown; scheme?: unknown };
        const session = await hubSession(deps, request, query.session);
        const options = (session?.options ?? null) as HubOptions | null;
        // `?scheme=` (the host's own toggle) wins over the session's colour scheme.
        const asked = typeof query.scheme === 'string' ? query.scheme : undefined;
        const scheme =
          asked && (SCHEMES as readonly string[]).includes(asked)
            ? (asked as ColorScheme)
            : (options?.colorScheme ?? 'auto');
        // Framing only by the session's host origin (it may embed the hub); nobody otherwise.
        setPageHeaders(reply, frameAncestorsFor(session?.allowedOrigin));
        return reply.type('text/html; charset=utf-8').send(hubPage(options, scheme));
      });

      app.get('/hub/assets/:file', PUBLIC, async (request, reply) => {
        const name = (request.params as { file: string }).file;
        const body = Object.hasOwn(ASSETS, name) ? assets.get(name) : undefined;
        if (!body) throw new PatchbayError('not_found', `No hub page asset named ${name.slice(0, 100)}`);
        setPageHeaders(reply, "'none'");
        return reply.type(ASSETS[name]!).send(body);
      });
    },
  };
}

async function hubSession(deps: HubPageDeps, request: FastifyRequest, token: unknown) {
  if (typeof token !== 'string' || token === '') return null;
  try {
    const session = await deps.sessions.authenticate(token);
    return session.purpose === 'hub' ? session : null;
  } catch (error) {
    // The page still loads and shows the API's error; only framing stays refused.
    if (!isPatchbayError(error)) request.log.warn({ err: error }, 'hub page: session lookup failed');
    return null;
  }
}
