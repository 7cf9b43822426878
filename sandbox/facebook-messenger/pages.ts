/**
 * The Page endpoints a connection needs: `GET /me` (the user, or the Page for a Page token),
 * `GET /me/accounts` (the Pages the user manages, each with a Page access token) and
 * `GET /{page-id}?fields=access_token,name`. A Page token read with a long-lived User token
 * never expires; one read with a short-lived User token expires with it.
 */
import { authenticate, fail, type GraphHandler, ok } from './answer.ts';
import type { MessengerContext } from './context.ts';
import { GraphErrors } from './graph-errors.ts';
import { type GraphRequest, stringParam } from './request.ts';

/** The tasks a Page admin can perform, as `/me/accounts` lists them. */
const ADMIN_TASKS = ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'];

export const handleMe: GraphHandler = (ctx, request, res) => {
  const record = authenticate(ctx, request, res);
  if (!record) return;
  const node =
    record.kind === 'page'
      ? { name: ctx.store.page.name, id: ctx.store.page.id }
      : { name: ctx.user.name, id: ctx.user.id };
  ok(res, select(node, request, ['name', 'id']));
};

export const handleAccounts: GraphHandler = (ctx, request, res) => {
  const record = authenticate(ctx, request, res);
  if (!record) return;
  if (record.kind !== 'user' || !userPath(ctx, request)) {
    return fail(
      ctx,
      res,
      GraphErrors.invalidParameter('Tried accessing nonexisting field (accounts) on node type (Page)'),
    );
  }
  const page = pageNode(ctx, request.token as string);
  const defaults = ['access_token', 'category', 'category_list', 'name', 'id', 'tasks'];
  ok(res, {
    data: [select(page, request, defaults)],
    paging: { cursors: { before: cursor(ctx.store.page.id), after: cursor(ctx.store.page.id) } },
  });
};

export const handlePage: GraphHandler = (ctx, request, res) => {
  const id = request.segments[0] as string;
  if (id !== ctx.store.page.id) return fail(ctx, res, GraphErrors.unsupportedRequest(request.method, id));
  const record = authenticate(ctx, request, res);
  if (!record) return;
  // A Page token reads its own Page; a User token reads it as the Page's admin.
  ok(res, select(pageNode(ctx, request.token as string), request, ['name', 'id']));
};

/** The Page as its admin reads it; `access_token` is a Page token derived from a User token. */
function pageNode(ctx: MessengerContext, token: string): Record<string, unknown> {
  const page = ctx.store.page;
  const record = ctx.tokens.find(token);
  return {
    access_token: record?.kind === 'user' ? ctx.tokens.issuePageToken(token, page.id) : token,
    category: page.category,
    category_list: [{ id: '2201', name: page.category }],
    name: page.name,
    id: page.id,
    tasks: ADMIN_TASKS,
  };
}

/** The node with the requested `fields` (plus `id`, which Graph always returns), or the defaults. */
function select(node: Record<string, unknown>, request: GraphRequest, defaults: readonly string[]) {
  const fields = stringParam(request.params, 'fields');
  const wanted = fields === undefined ? defaults : [...fields.split(',').map((field) => field.trim()), 'id'];
  return Object.fromEntries(Object.entries(node).filter(([key]) => wanted.includes(key)));
}

function userPath(ctx: MessengerContext, request: GraphRequest): boolean {
  return request.segments[0] === 'me' || request.segments[0] === ctx.user.id;
}

function cursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}
