/**
 * One handler for every path of the emulator: the login dialog (an HTML page and redirects), and
 * the Graph API routes, versioned (`/v23.0/…`, any `vNN.N`) or not. Every Graph request passes,
 * in order: an armed fault (throttling or server error), an armed delay, body parsing, then its
 * route; an unknown path answers Graph's "Unsupported … request" (100/33).
 */
import type { Handler } from '../http/router.ts';
import { fail, type GraphHandler } from './answer.ts';
import type { MessengerContext } from './context.ts';
import { GraphErrors } from './graph-errors.ts';
import { handleDialog } from './login-dialog.ts';
import { handleAccessToken, handleDebugToken, handleRevoke } from './login-tokens.ts';
import { handleAccounts, handleMe, handlePage } from './pages.ts';
import { graphPath, readGraphRequest } from './request.ts';
import { handleSend } from './send-api.ts';

interface Route {
  /** The route as stats count it: `POST /{page-id}/messages`. */
  readonly name: string;
  readonly handler: GraphHandler;
}

export function createMessengerHandler(ctx: MessengerContext): Handler {
  return async (req, res, url) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const { segments } = graphPath(url.pathname);
    if (segments.length === 2 && segments[0] === 'dialog' && segments[1] === 'oauth' && method === 'GET') {
      handleDialog(ctx, req, res, url);
      return;
    }
    const route = matchRoute(ctx, method, segments);
    ctx.stats.recordRoute(route?.name ?? `${method} ${url.pathname}`);

    const failure = ctx.faults.takeFailure();
    if (failure) {
      ctx.stats.injected[failure.kind]++;
      return fail(ctx, res, failure.error);
    }
    if (await ctx.faults.takeDelay()) ctx.stats.injected.delayed++;
    if (res.destroyed) return;

    const read = await readGraphRequest(req, url);
    if (!read.ok) return fail(ctx, res, read.error);
    if (!route) return fail(ctx, res, GraphErrors.unsupportedRequest(method, segments.join('/')));
    await route.handler(ctx, read.request, res);
  };
}

function matchRoute(ctx: MessengerContext, method: string, segments: readonly string[]): Route | undefined {
  const [first, second, third, ...rest] = segments;
  if (first === undefined || rest.length > 0) return undefined;
  const isUser = first === 'me' || first === ctx.user.id;
  const isPage = first === ctx.store.page.id;
  if (
    first === 'oauth' &&
    second === 'access_token' &&
    third === undefined &&
    (method === 'GET' || method === 'POST')
  ) {
    return { name: `${method} /oauth/access_token`, handler: handleAccessToken };
  }
  if (first === 'debug_token' && second === undefined && method === 'GET') {
    return { name: 'GET /debug_token', handler: handleDebugToken };
  }
  if (second === undefined && method === 'GET') {
    if (first === 'me') return { name: 'GET /me', handler: handleMe };
    return { name: 'GET /{page-id}', handler: handlePage };
  }
  if (second === 'accounts' && third === undefined && isUser && method === 'GET') {
    return { name: 'GET /me/accounts', handler: handleAccounts };
  }
  if (second === 'permissions' && isUser && method === 'DELETE') {
    return {
      name: `DELETE /me/permissions${third === undefined ? '' : '/{permission}'}`,
      handler: handleRevoke(third),
    };
  }
  if (second === 'messages' && third === undefined && (first === 'me' || isPage) && method === 'POST') {
    return { name: 'POST /{page-id}/messages', handler: handleSend };
  }
  return undefined;
}
