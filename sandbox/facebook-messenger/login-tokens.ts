/**
 * The Graph API's token endpoints: `GET|POST /oauth/access_token` exchanges a login code for a
 * short-lived User token, or (`grant_type=fb_exchange_token`) a short-lived User token for a
 * long-lived one; `GET /debug_token` describes a token; `DELETE /me/permissions` removes the app
 * (every token of the user then answers 190/458), `DELETE /me/permissions/{name}` one permission.
 */
import type { ServerResponse } from 'node:http';
import { secretsEqual } from '../oauth/secrets.ts';
import { authenticate, fail, type GraphHandler, ok } from './answer.ts';
import { effectiveScopes, type MessengerContext } from './context.ts';
import { type GraphError, GraphErrors } from './graph-errors.ts';
import { type GraphRequest, stringParam } from './request.ts';
import type { TokenRecord } from './tokens.ts';

/** Data access expires 90 days after the person last used the app (Facebook Login docs). */
const DATA_ACCESS_MS = 90 * 86_400_000;

export const handleAccessToken: GraphHandler = (ctx, request, res) => {
  const clientError = checkClient(ctx, request);
  if (clientError) return fail(ctx, res, clientError);
  if (stringParam(request.params, 'grant_type') === 'fb_exchange_token')
    return exchangeToken(ctx, request, res);
  const code = stringParam(request.params, 'code');
  if (code === undefined) return fail(ctx, res, GraphErrors.invalidParameter('Missing authorization code'));
  const record = ctx.tokens.findCode(code);
  if (!record) return fail(ctx, res, GraphErrors.badCode());
  if (record.used) return fail(ctx, res, GraphErrors.codeUsed());
  if (ctx.tokens.isCodeExpired(record)) return fail(ctx, res, GraphErrors.codeExpired());
  if (stringParam(request.params, 'redirect_uri') !== record.redirectUri) {
    return fail(ctx, res, GraphErrors.redirectMismatch());
  }
  record.used = true;
  const ttl = ctx.settings.shortLivedTokenSeconds;
  const token = ctx.tokens.issueUserToken(record.userId, record.scopes, ttl, false);
  ok(res, { access_token: token, token_type: 'bearer', expires_in: ttl });
};

function exchangeToken(ctx: MessengerContext, request: GraphRequest, res: ServerResponse): void {
  const error = exchangeError(ctx, request);
  if (error) {
    fail(ctx, res, error);
    return;
  }
  const check = ctx.tokens.check(stringParam(request.params, 'fb_exchange_token') as string);
  if (!check.ok) return;
  const ttl = ctx.settings.longLivedTokenSeconds;
  const token = ctx.tokens.issueUserToken(check.record.userId, check.record.scopes, ttl, true);
  ok(res, { access_token: token, token_type: 'bearer', expires_in: ttl });
}

/** Why `fb_exchange_token` cannot be exchanged: an expired or invalid token answers its own error. */
function exchangeError(ctx: MessengerContext, request: GraphRequest): GraphError | undefined {
  const input = stringParam(request.params, 'fb_exchange_token');
  if (input === undefined) return GraphErrors.invalidParameter('Missing fb_exchange_token parameter');
  const check = ctx.tokens.check(input);
  if (!check.ok) return check.error;
  return check.record.kind === 'user'
    ? undefined
    : GraphErrors.invalidParameter('fb_exchange_token must be a User access token');
}

function checkClient(ctx: MessengerContext, request: GraphRequest): GraphError | undefined {
  if (stringParam(request.params, 'client_id') !== ctx.app.id) return GraphErrors.unknownApp();
  const secret = stringParam(request.params, 'client_secret');
  return secret !== undefined && secretsEqual(secret, ctx.app.secret)
    ? undefined
    : GraphErrors.badClientSecret();
}

export const handleDebugToken: GraphHandler = (ctx, request, res) => {
  if (!isAppOrUserToken(ctx, request.token)) {
    return fail(
      ctx,
      res,
      GraphErrors.invalidParameter(
        'You must provide an app access token, or a user access token that is an owner or developer of the app',
      ),
    );
  }
  const input = stringParam(request.params, 'input_token');
  if (input === undefined)
    return fail(ctx, res, GraphErrors.invalidParameter('The parameter input_token is required'));
  const record = ctx.tokens.find(input);
  if (!record) {
    ok(res, {
      data: { error: { code: 190, message: 'Invalid OAuth access token.' }, is_valid: false, scopes: [] },
    });
    return;
  }
  ok(res, { data: describeToken(ctx, input, record) });
};

/** debug_token's `data` for a token the emulator issued. */
function describeToken(ctx: MessengerContext, token: string, record: TokenRecord): Record<string, unknown> {
  const check = ctx.tokens.check(token);
  const expiresAt = ctx.tokens.expiryOf(record);
  const scopes = effectiveScopes(ctx, record.scopes);
  const data: Record<string, unknown> = {
    app_id: ctx.app.id,
    type: record.kind === 'page' ? 'PAGE' : 'USER',
    application: ctx.app.name,
    data_access_expires_at: seconds(record.issuedAt + DATA_ACCESS_MS),
    // 0 is how debug_token reports a token that never expires.
    expires_at: expiresAt === null ? 0 : seconds(expiresAt),
    is_valid: check.ok,
  };
  if (!check.ok) {
    data.error = {
      code: check.error.code,
      message: check.error.message,
      ...(check.error.subcode === undefined ? {} : { subcode: check.error.subcode }),
    };
  }
  if (record.longLived) data.issued_at = seconds(record.issuedAt);
  if (record.pageId !== undefined) data.profile_id = record.pageId;
  data.scopes = scopes;
  data.granular_scopes = scopes
    .filter((scope) => scope.startsWith('pages_'))
    .map((scope) => ({ scope, target_ids: [ctx.store.page.id] }));
  data.user_id = record.userId;
  return data;
}

function isAppOrUserToken(ctx: MessengerContext, token: string | undefined): boolean {
  if (token === undefined) return false;
  if (token === `${ctx.app.id}|${ctx.app.secret}`) return true;
  const check = ctx.tokens.check(token);
  return check.ok && check.record.kind === 'user';
}

/** `DELETE /me/permissions[/{permission}]` with a User token. */
export function handleRevoke(permission: string | undefined): GraphHandler {
  return (ctx, request, res) => {
    const record = authenticate(ctx, request, res);
    if (!record) return;
    if (record.kind !== 'user') {
      return fail(
        ctx,
        res,
        GraphErrors.invalidParameter('Tried accessing nonexisting field (permissions) on node type (Page)'),
      );
    }
    if (permission === undefined) ctx.tokens.invalidateUser(record.userId, 'app_removed');
    else ctx.store.revoked.add(permission);
    ok(res, { success: true });
  };
}

const seconds = (ms: number): number => Math.floor(ms / 1000);
