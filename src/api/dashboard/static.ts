/**
 * Serves the operator dashboard's built files (dashboard/dist, made by scripts/build-dashboard.ts)
 * at /dashboard. The files are listed once at startup, so no request can name a file outside the
 * build; any other path under /dashboard gets index.html, the single-page app's entry, so deep
 * links work. Vite names assets by content hash: they are cached for a year as immutable, while
 * index.html is revalidated on every load so a new build is picked up. Every response carries a
 * strict Content-Security-Policy: scripts and styles come only from this origin, never inline.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteModule } from '../core/routes.ts';

/** src/api/dashboard → the repository root (or dist/ in the npm package) → dashboard/dist. */
export const DASHBOARD_DIST: string = fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));

/** The policy of every dashboard response: nothing inline, nothing from another origin. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  type: string;
  immutable: boolean;
}

/** The build's files by URL path below /dashboard/ (`assets/index-Bx1.js`), or null when not built. */
export function loadDashboardBuild(dir: string = DASHBOARD_DIST): Map<string, Asset> | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const files = new Map<string, Asset>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    if (!statSync(path).isFile()) continue;
    const name = relative(dir, path).split(sep).join('/');
    // Vite's manifest describes the build for the budget check; the browser has no use for it.
    if (name.startsWith('.vite/')) continue;
    files.set(name, {
      body: readFileSync(path),
      type: TYPES[extname(name)] ?? 'application/octet-stream',
      immutable: name.startsWith('assets/'),
    });
  }
  return files;
}

const MISSING = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Patchbay dashboard not built</title></head>
<body><h1>The dashboard is not built</h1><p>This Patchbay was started from a checkout whose dashboard has not been built.
Run <code>npm run build:dashboard</code> (or <code>npm install</code>, which builds it), then restart Patchbay.</p></body></html>`;

function setSecurityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}

const PUBLIC = { schema: { hide: true }, config: { auth: 'none' } } as const;

/** The /dashboard routes; `dir` is where the build is (tests pass their own). */
export function dashboardStaticRoutes(dir: string = DASHBOARD_DIST): RouteModule {
  const files = loadDashboardBuild(dir);
  return {
    name: 'dashboard-static',
    register(app: FastifyInstance) {
      const serve = async (path: string, reply: FastifyReply) => {
        setSecurityHeaders(reply);
        if (!files) {
          return reply.code(503).header('cache-control', 'no-store').type(TYPES['.html']!).send(MISSING);
        }
        const asset = files.get(path);
        if (asset) {
          reply.header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
          return reply.type(asset.type).send(asset.body);
        }
        // A missing hashed asset is a stale page asking for an old build: 404, not the app.
        if (path.startsWith('assets/')) return reply.code(404).type('text/plain').send('Not found');
        return reply
          .header('cache-control', 'no-cache')
          .type(TYPES['.html']!)
          .send(files.get('index.html')!.body);
      };
      app.get('/dashboard', PUBLIC, (_request, reply) => reply.redirect('/dashboard/', 302));
      app.get('/dashboard/', PUBLIC, (_request, reply) => serve('index.html', reply));
      app.get('/dashboard/*', PUBLIC, (request, reply) =>
        serve((request.params as { '*': string })['*'], reply),
      );
    },
  };
}
