/**
 * Stripe Connect OAuth (connect.stripe.com in production): `GET /oauth/authorize` approves at once
 * (the user "connects"), creating a new Standard account from `stripe_user[…]` and redirecting
 * with `code` and `state`; `POST /oauth/token` exchanges the code (single use, five minutes) or a
 * refresh token, authenticated by the platform's secret key (Authorization header or
 * `client_secret`); `POST /oauth/deauthorize` disconnects. Errors are OAuth's
 * `{ error, error_description }`, which the SDK turns into its OAuth error classes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFormEncoded, readBody, redirect, sendJson } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import type { PlatformAccount } from './accounts.ts';
import { apiKeyOf } from './auth.ts';
import { nowSeconds, type StripeCore } from './context.ts';
import { decodeForm, FormDecodeError, type FormObject } from './form.ts';
import { base62 } from './ids.ts';
import { connectAccount, disconnectAccount } from './ops/connect.ts';
import type { AccountState } from './state.ts';

const CODE_TTL_MS = 5 * 60 * 1000;

interface CodeRecord {
  readonly platformId: string;
  readonly accountId: string;
  readonly scope: 'read_write' | 'read_only';
  readonly expiresAt: number;
  used: boolean;
}

/** What tests may steer: the next authorizations' outcome. */
export class OAuthDecisions {
  denials = 0;
  /** Connect this existing account at the next authorization instead of creating one. */
  nextAccount: string | undefined;
}

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description });
}

function text(form: FormObject, key: string): string | undefined {
  const value = form[key];
  return typeof value === 'string' ? value : undefined;
}

export function mountConnectOAuth(router: Router, core: StripeCore, decisions: OAuthDecisions): void {
  const codes = new Map<string, CodeRecord>();

  router.on('GET', '/oauth/authorize', (_req, res, url) => {
    core.stats.oauth.authorize++;
    const query = decodeForm(url.search.slice(1));
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

  router.on('POST', '/oauth/token', async (req, res) => {
    core.stats.oauth.token++;
    const form = await readForm(req, res);
    if (!form) return;
    const platform = authenticatePlatform(core, req, res, form);
    if (!platform) return;
    const grant = text(form, 'grant_type');
    if (grant === 'authorization_code') {
      const code = text(form, 'code');
      if (code === undefined)
        return oauthError(res, 400, 'invalid_request', 'No authorization code provided');
      const record = codes.get(code);
      if (!record || record.platformId !== platform.id) {
        return oauthError(res, 400, 'invalid_grant', `Authorization code does not exist: ${code}`);
      }
      if (record.used)
        return oauthError(res, 400, 'invalid_grant', `Authorization code has already been used: ${code}`);
      if (core.clock.now() >= record.expiresAt) {
        return oauthError(res, 400, 'invalid_grant', `Authorization code expired: ${code}`);
      }
      record.used = true;
      const account = core.accounts.get(record.accountId) as AccountState;
      return sendToken(res, connectAccount(core, platform, account, record.scope));
    }
    if (grant === 'refresh_token') {
      const token = text(form, 'refresh_token') ?? '';
      const scope = text(form, 'scope');
      const connection = core.accounts.refresh(
        token,
        platform.id,
        scope === 'read_only' || scope === 'read_write' ? scope : undefined,
      );
      if (!connection) return oauthError(res, 400, 'invalid_grant', `Refresh token does not exist: ${token}`);
      return sendToken(res, connection);
    }
    oauthError(res, 400, 'unsupported_grant_type', `Unsupported grant type: ${grant ?? ''}`);
  });

  router.on('POST', '/oauth/deauthorize', async (req, res) => {
    core.stats.oauth.deauthorize++;
    const form = await readForm(req, res);
    if (!form) return;
    const platform = authenticatePlatform(core, req, res, form);
    if (!platform) return;
    const clientId = text(form, 'client_id');
    if (clientId !== platform.clientId) {
      return oauthError(res, 401, 'invalid_client', `No such application: '${clientId ?? ''}'`);
    }
    const accountId = text(form, 'stripe_user_id') ?? '';
    if (!disconnectAccount(core, platform, accountId)) {
      return oauthError(
        res,
        401,
        'invalid_client',
        `This application is not connected to stripe account ${accountId}, or that account does not exist.`,
      );
    }
    sendJson(res, 200, { stripe_user_id: accountId });
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

function sendToken(
  res: ServerResponse,
  connection: {
    accessToken: string;
    refreshToken: string;
    publishableKey: string;
    accountId: string;
    scope: string;
  },
): void {
  sendJson(res, 200, {
    access_token: connection.accessToken,
    livemode: false,
    refresh_token: connection.refreshToken,
    scope: connection.scope,
    stripe_publishable_key: connection.publishableKey,
    stripe_user_id: connection.accountId,
    token_type: 'bearer',
  });
}

async function readForm(req: IncomingMessage, res: ServerResponse): Promise<FormObject | undefined> {
  const body = await readBody(req);
  if (body.length > 0 && !isFormEncoded(req)) {
    oauthError(res, 400, 'invalid_request', 'The body must be application/x-www-form-urlencoded.');
    return undefined;
  }
  try {
    return decodeForm(body.toString('utf8'));
  } catch (error) {
    if (!(error instanceof FormDecodeError)) throw error;
    oauthError(res, 400, 'invalid_request', error.message);
    return undefined;
  }
}

/** The platform whose secret key came in the Authorization header or as `client_secret`. */
function authenticatePlatform(
  core: StripeCore,
  req: IncomingMessage,
  res: ServerResponse,
  form: FormObject,
): PlatformAccount | undefined {
  const key = apiKeyOf(req.headers.authorization) ?? text(form, 'client_secret');
  if (key === undefined) {
    oauthError(
      res,
      401,
      'invalid_client',
      'No authentication was provided. Send your secret API key using the Authorization header, or as a client_secret POST parameter.',
    );
    return undefined;
  }
  const owner = core.accounts.key(key);
  const platform =
    owner && owner.kind === 'secret' && !owner.revoked ? core.accounts.platform(owner.accountId) : undefined;
  const clientId = text(form, 'client_id');
  if (!platform || (clientId !== undefined && clientId !== platform.clientId)) {
    oauthError(
      res,
      401,
      'invalid_client',
      'Invalid API Key provided: the key must be a secret key of the platform.',
    );
    return undefined;
  }
  return platform;
}
