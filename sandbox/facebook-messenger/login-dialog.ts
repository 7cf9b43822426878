/**
 * Facebook Login's dialog (`https://www.facebook.com/vNN.N/dialog/oauth`), approving at once as
 * the Page's admin: a redirect to `redirect_uri` with `code` and `state`, or — after
 * `control.denyNextLogin()` — with Facebook's "Canceled Login" parameters
 * (`error_reason=user_denied&error=access_denied&error_description=Permissions+error.`). An
 * unknown app or a redirect URI not among the app's Valid OAuth Redirect URIs (exact match)
 * shows an error page and never redirects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, redirect, sendHtml } from '../http/respond.ts';
import type { MessengerContext } from './context.ts';

/** Codes are exchanged right after the redirect; this emulator keeps them for 10 minutes. */
export const CODE_TTL_MS = 10 * 60_000;

export function handleDialog(
  ctx: MessengerContext,
  _req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  ctx.stats.dialogs++;
  const params = url.searchParams;
  const clientId = params.get('client_id');
  if (clientId !== ctx.app.id) {
    errorPage(
      res,
      'Invalid App ID',
      `The provided app ID "${clientId ?? ''}" does not look like a valid app ID.`,
    );
    return;
  }
  const redirectUri = params.get('redirect_uri');
  if (redirectUri === null || !ctx.app.redirectUris.includes(redirectUri)) {
    errorPage(
      res,
      'URL blocked',
      "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs.",
    );
    return;
  }
  const responseType = params.get('response_type') ?? 'code';
  if (responseType !== 'code') {
    errorPage(
      res,
      'Unsupported response_type',
      'This emulator implements the code flow (response_type=code) only.',
    );
    return;
  }
  const target = new URL(redirectUri);
  const state = params.get('state');
  if (ctx.loginDenials > 0) {
    ctx.loginDenials--;
    target.searchParams.set('error_reason', 'user_denied');
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'Permissions error.');
  } else {
    const scopes = ['public_profile', ...parseScopes(params.get('scope'))];
    // Logging in again grants what the person approves, permissions revoked earlier included.
    for (const scope of scopes) ctx.store.revoked.delete(scope);
    const code = ctx.tokens.issueCode(
      { clientId, redirectUri, scopes: [...new Set(scopes)], userId: ctx.user.id },
      ctx.settings.codeTtlMs,
    );
    target.searchParams.set('code', code);
  }
  if (state !== null) target.searchParams.set('state', state);
  redirect(res, target.href);
}

/** Facebook takes scopes separated by commas (its documented form) or spaces. */
export function parseScopes(text: string | null): string[] {
  return (text ?? '').split(/[\s,]+/).filter((scope) => scope.length > 0);
}

function errorPage(res: ServerResponse, title: string, detail: string): void {
  sendHtml(
    res,
    400,
    `<!doctype html><title>Facebook</title><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>`,
  );
}
