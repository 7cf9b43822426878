/**
 * `POST /oauth/token` and `POST /oauth/deauthorize`, authenticated by the platform's secret key
 * (Authorization header, or `client_secret` in the body as the provider's client_secret_post
 * sends it). The token endpoint exchanges a code (single use, five minutes) or a refresh token
 * (which rolls the access token); deauthorize ends a connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFormEncoded, readBody, sendJson } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import type { PlatformAccount } from './accounts.ts';
import { apiKeyOf } from './auth.ts';
import type { StripeCore } from './context.ts';
import { decodeForm, FormDecodeError, type FormObject } from './form.ts';
import { type CodeRecord, oauthError, text } from './oauth-shared.ts';
import { connectAccount, disconnectAccount } from './ops/connect.ts';
import type { AccountState } from './state.ts';

export function mountTokenEndpoints(router: Router, core: StripeCore, codes: Map<string, CodeRecord>): void {
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
