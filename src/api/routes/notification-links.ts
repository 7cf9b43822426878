/**
 * The public pages behind the links of notification emails (no API key: the signed token in the
 * URL is the authority):
 * - `GET /notifications/unsubscribe?token=…` shows what the link stops and a button; `POST` to
 *   the same URL does it — the button's form, or a mail client's RFC 8058 one-click POST
 *   (`List-Unsubscribe=One-Click`). A GET never changes anything: link scanners prefetch URLs.
 * - `GET /notifications/reconnect?token=…` opens a fresh connect session that reconnects the
 *   connection and redirects to the connect page.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isPatchbayError } from '../../errors/index.ts';
import { KINDS, type NotificationsService } from '../../notifications/index.ts';
import { escapeHtml } from '../../notifications/template.ts';
import type { RouteModule } from '../core/routes.ts';

const PUBLIC = { schema: { hide: true }, config: { auth: 'none' } } as const;

export function notificationLinkRoutes(notifications: NotificationsService): RouteModule {
  return {
    name: 'notification-links',
    register(app: FastifyInstance) {
      // One-click unsubscribes arrive as forms; their content does not matter (the token does).
      for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']) {
        app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4096 }, (_request, _body, done) =>
          done(null, undefined),
        );
      }

      app.get('/notifications/unsubscribe', PUBLIC, async (request, reply) => {
        const token = tokenOf(request.query);
        const target = token ? await notifications.readUnsubscribe(token) : null;
        if (!target) return page(reply, 404, 'Link not valid', '<p>This unsubscribe link is not valid.</p>');
        const what = escapeHtml(KINDS[target.kind].description);
        return page(
          reply,
          200,
          'Unsubscribe',
          `<p>Stop these emails?</p><p>${what}</p>` +
            `<form method="post" action="/notifications/unsubscribe?token=${encodeURIComponent(token!)}">` +
            '<button type="submit">Unsubscribe</button></form>',
        );
      });

      app.post('/notifications/unsubscribe', PUBLIC, async (request, reply) => {
        const token = tokenOf(request.query);
        const done = token ? await notifications.unsubscribe(token) : null;
        if (!done) return page(reply, 404, 'Link not valid', '<p>This unsubscribe link is not valid.</p>');
        return page(
          reply,
          200,
          'Unsubscribed',
          `<p>You are unsubscribed. You will get no more of these emails: ${escapeHtml(KINDS[done.kind].description)}</p>`,
        );
      });

      app.get('/notifications/reconnect', PUBLIC, async (request, reply) => {
        const token = tokenOf(request.query);
        try {
          if (!token) throw new Error('no token');
          const url = await notifications.reconnect(token);
          return reply.code(303).header('cache-control', 'no-store').redirect(url);
        } catch (error) {
          const message = isPatchbayError(error)
            ? error.message
            : 'This reconnect link is not valid; open the integrations page of the app to reconnect.';
          return page(
            reply,
            isPatchbayError(error) && error.status < 500 ? error.status : 404,
            'Cannot reconnect',
            `<p>${escapeHtml(message)}</p>`,
          );
        }
      });
    },
  };
}

function tokenOf(query: unknown): string | null {
  const token = (query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && token.length > 0 && token.length <= 2000 ? token : null;
}

function page(reply: FastifyReply, status: number, title: string, body: string) {
  reply
    .code(status)
    .header(
      'content-security-policy',
      "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8');
  return reply.send(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
  );
}
