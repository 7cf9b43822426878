/**
 * `GET /oauth/authorize`: the user "connects" at once. A new Standard account is created from
 * `stripe_user[email|business_name|country|url]` (or the account `control.authorizeAs` named),
 * and the browser is sent back to the redirect URI with `code`, `scope` and `state` — or with
 * `error` and `state` when the request is refused or a test denies it. A client id or redirect
 * URI the platform does not know is answered here, never redirected.
 */
import { redirect } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import type { PlatformAccount } from './accounts.ts';
import { nowSeconds, type StripeCore } from './context.ts';
import { decodeForm, FormDecodeError, type FormObject } from './form.ts';
import { base62 } from './ids.ts';
import { CODE_TTL_MS, type CodeRecord, type OAuthDecisions, oauthError, text } from './oauth-shared.ts';
import type { AccountState } from './state.ts';

export function mountAuthorize(
  router: Router,
  core: StripeCore,
  decisions: OAuthDecisions,
  codes: Map<string, CodeRecord>,
): void {
  router.on('GET', '/oauth/authorize', (_req, res, url) => {
    core.stats.oauth.authorize++;
    let query: FormObject;
    try {
      query = decodeForm(url.search.slice(1));
    } catch (error) {
      if (!(error instanceof FormDecodeError)) throw error;
      return oauthError(res, 400, 'invalid_request', error.message);
    }
    const clientId = text(query, 'client_id') ?? '';
    const platform = core.accounts.platformByClientId(clientId);
    if (!platform) return oauthError(res, 400, 'invalid_client', `No such application: '${clientId}'`);
    const redirectUri = text(query, 'redirect_uri') ?? platform.redirectUris[0];
    if (redirectUri === undefined || !allowedRedirect(platform, redirectUri)) {
      return oauthError(res, 400, 'invalid_redirect_uri', `Invalid redirect URI '${redirectUri ?? ''}'.`);
    }
    const back = (params: Record<string, string>): void => {
      const target = new URL(redirectUri);
      for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
      const state = text(query, 'state');
      if (state !== undefined) target.searchParams.set('state', state);
      redirect(res, target.href);
    };
    if ((text(query, 'response_type') ?? 'code') !== 'code') {
      return back({
        error: 'unsupported_response_type',
        error_description: 'Only response_type=code is supported.',
      });
    }
    const scope = text(query, 'scope') ?? 'read_only';
    if (scope !== 'read_write' && scope !== 'read_only') {
      return back({ error: 'invalid_scope', error_description: `Invalid scope: ${scope}` });
    }
    if (decisions.denials > 0) {
      decisions.denials--;
      return back({ error: 'access_denied', error_description: 'The user denied your request' });
    }
    const account = authorizingAccount(core, decisions, query);
    const code = `ac_${base62(32)}`;
    codes.set(code, {
      platformId: platform.id,
      accountId: account.id,
      scope,
      expiresAt: core.clock.now() + CODE_TTL_MS,
      used: false,
    });
    back({ scope, code });
  });
}

function allowedRedirect(platform: PlatformAccount, uri: string): boolean {
  if (platform.redirectUris.length > 0) return platform.redirectUris.includes(uri);
  return /^https?:\/\//.test(uri);
}

function authorizingAccount(core: StripeCore, decisions: OAuthDecisions, query: FormObject): AccountState {
  const existing = decisions.nextAccount === undefined ? undefined : core.accounts.get(decisions.nextAccount);
  decisions.nextAccount = undefined;
  if (existing) return existing;
  const user = query.stripe_user;
  const prefill = typeof user === 'object' && !Array.isArray(user) ? user : {};
  return core.accounts.createConnectedAccount(
    {
      email: text(prefill, 'email') ?? null,
      name: text(prefill, 'business_name') ?? null,
      country: text(prefill, 'country') ?? 'US',
      url: text(prefill, 'url') ?? null,
    },
    nowSeconds({ core }),
  );
}
