/**
 * The connect page's routes outside the contract, all public (`auth: 'none'`): the page itself,
 * its static script and styles, provider logos, and the OAuth callback the provider redirects
 * the popup to.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { logoFile } from '../../catalog/index.ts';
import { isPatchbayError, PatchbayError } from '../../errors/index.ts';
import type { ConnectFlowDeps } from './flow-deps.ts';
import { type CallbackOutcome, callbackPage, frameAncestorsFor, setPageHeaders } from './flow-html.ts';

const UI_DIR = new URL('./ui/', import.meta.url);

// The only files served from ui/: a fixed list, so no request can name another file.
const ASSETS: Record<string, string> = {
  'connect.js': 'text/javascript; charset=utf-8',
  'callback.js': 'text/javascript; charset=utf-8',
  'connect.css': 'text/css; charset=utf-8',
};

// Public, and outside the OpenAPI document (HTML and files, not API operations).
const PUBLIC = { schema: { hide: true }, config: { auth: 'none' } } as const;

/** Registers the page, assets, logos and OAuth callback routes on `app`. */
export async function registerConnectPages(app: FastifyInstance, deps: ConnectFlowDeps): Promise<void> {
  const publicUrl = deps.publicUrl;
  const patchbayOrigin = new URL(publicUrl).origin;
  const page = await readFile(new URL('connect.html', UI_DIR), 'utf8');
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(ASSETS)) assets.set(name, await readFile(new URL(name, UI_DIR)));

  app.get('/connect', PUBLIC, async (request, reply) => {
    // The token is in the query: when it is valid, framing is allowed to the session's host
    // origin only (the page can post its result to window.parent); otherwise to nobody.
    const token = (request.query as { session?: unknown }).session;
    setPageHeaders(reply, frameAncestorsFor(await allowedOrigin(deps, request, token)));
    return reply.type('text/html; charset=utf-8').send(page);
  });

  app.get('/connect/assets/:file', PUBLIC, async (request, reply) => {
    const name = (request.params as { file: string }).file;
    const body = Object.hasOwn(ASSETS, name) ? assets.get(name) : undefined;
    if (!body) throw new PatchbayError('not_found', `No connect page asset named ${name.slice(0, 100)}`);
    setPageHeaders(reply, "'none'");
    return reply.type(ASSETS[name]!).send(body);
  });

  app.get('/connect/logos/:provider', PUBLIC, async (request, reply) => serveLogo(deps, request, reply));

  app.get('/connect/oauth/callback', PUBLIC, async (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const outcome = await completeCallback(
      deps,
      new URL(`${publicUrl}/connect/oauth/callback${query}`),
      request,
    );
    setPageHeaders(reply, "'none'");
    reply.code(outcome.status === 'success' ? 200 : outcome.httpStatus);
    return reply.type('text/html; charset=utf-8').send(callbackPage(outcome, patchbayOrigin));
  });
}

async function allowedOrigin(deps: ConnectFlowDeps, request: FastifyRequest, token: unknown) {
  if (typeof token !== 'string' || token === '') return null;
  try {
    return (await deps.sessions.authenticate(token)).allowedOrigin;
  } catch (error) {
    // The page still loads and shows the API's error; only framing stays refused.
    if (!isPatchbayError(error)) request.log.warn({ err: error }, 'connect page: session lookup failed');
    return null;
  }
}

/**
 * The OAuth callback: the auth module consumes the state and exchanges the code, the session the
 * state was bound to must still be valid, and the connection is saved (a reconnect when the
 * session says so). Every failure becomes an error page with the error's own 4xx status.
 */
async function completeCallback(
  deps: ConnectFlowDeps,
  callbackUrl: URL,
  request: FastifyRequest,
): Promise<CallbackOutcome & { httpStatus: number }> {
  try {
    const result = await deps.auth.completeAuthorization(callbackUrl);
    const session = await deps.sessions.get(result.environmentId, result.sessionId);
    const connection = await deps.connections.save(result.environmentId, {
      integrationId: result.integrationId,
      endUser: session.endUser,
      credentials: result.credentials,
      connectionConfig: result.connectionConfig,
      metadata: result.metadata,
      connectionId: session.connectionId,
    });
    return {
      status: 'success',
      httpStatus: 200,
      connectionId: connection.id,
      integration: connection.integrationKey,
      provider: connection.provider,
    };
  } catch (error) {
    if (isPatchbayError(error)) {
      if (error.status >= 500) request.log.error({ err: error }, 'connect callback failed');
      return { status: 'error', httpStatus: error.status, code: error.code, message: error.message };
    }
    request.log.error({ err: error }, 'connect callback failed');
    return {
      status: 'error',
      httpStatus: 500,
      code: 'internal_error',
      message: `An unexpected error occurred; quote request id ${request.id} when reporting it`,
    };
  }
}

/** A provider's logo: its SVG file, a redirect to its https URL, or its data URI decoded. */
async function serveLogo(deps: ConnectFlowDeps, request: FastifyRequest, reply: FastifyReply) {
  const name = (request.params as { provider: string }).provider;
  const definition = deps.catalog.get(name);
  if (!definition) throw new PatchbayError('not_found', `No provider named ${name.slice(0, 64)}`);
  // Logos are public and change only with a release.
  reply.header('cache-control', 'public, max-age=3600');
  reply.header('x-content-type-options', 'nosniff');
  // An SVG opened directly must not run scripts.
  reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  const logo = definition.logo;
  if (logo.startsWith('https:')) return reply.redirect(logo, 302);
  const data = /^data:(image\/(?:svg\+xml|png));base64,(.*)$/.exec(logo);
  if (data) return reply.type(data[1]!).send(Buffer.from(data[2]!, 'base64'));
  const file = logoFile(definition);
  if (!file) throw new PatchbayError('not_found', `The provider ${name} has no logo file`);
  return reply.type('image/svg+xml').send(await readFile(file));
}
