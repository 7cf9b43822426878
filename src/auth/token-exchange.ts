/**
 * The definition's token exchange (`auth.tokenExchange`): right after the code exchange, the
 * code's token is traded for the one the connection keeps — Facebook's short-lived user token
 * (an hour or two) for a long-lived one (about 60 days) with `grant_type=fb_exchange_token`. It is
 * not an RFC 6749 grant, so the request is built from the definition's templates; its answer is
 * a token response like any other, read by the exchange's own `tokenResponse` paths.
 *
 * Building the request is split from sending it, so each half is tested with plain objects.
 */
import type { TokenExchangeSpec } from '../catalog/auth.ts';
import type { Clock } from '../clock/index.ts';
import type { OAuthContext } from './oauth-client.ts';
import { readTokenResponse, send, type TokenSet } from './token-response.ts';
import { renderText, renderUrl } from './values.ts';

/** The values the exchange's templates render with. */
export interface TokenExchangeValues {
  connectionConfig: Record<string, string>;
  clientId: string;
  clientSecret: string;
  /** The token to trade: the code exchange's. */
  accessToken: string;
}

/** The exchange as a URL and fetch options; nothing is sent. */
export function tokenExchangeRequest(
  spec: TokenExchangeSpec,
  input: TokenExchangeValues,
): { url: URL; init: RequestInit } {
  const values: Record<string, string> = {
    ...input.connectionConfig,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    accessToken: input.accessToken,
  };
  const url = new URL(renderUrl(spec.url, input.connectionConfig));
  for (const [name, template] of Object.entries(spec.query)) {
    url.searchParams.set(name, renderText(template, values));
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, template] of Object.entries(spec.headers)) headers[name] = renderText(template, values);
  const init: RequestInit = { method: spec.method, headers, redirect: 'manual' };
  if (spec.method === 'POST') {
    const fields: Record<string, string> = {};
    for (const [name, template] of Object.entries(spec.body)) fields[name] = renderText(template, values);
    if (spec.format === 'json') {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(fields);
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      init.body = new URLSearchParams(fields).toString();
    }
  }
  return { url, init };
}

/**
 * Sends the exchange and reads its answer: the token set that replaces the code exchange's.
 * Throws TokenEndpointError (refused, unreachable, invalid_response) as the token requests do.
 */
export async function exchangeToken(
  ctx: OAuthContext,
  spec: TokenExchangeSpec,
  input: TokenExchangeValues,
  clock: Clock,
  tokenExpiresInDefault: number | undefined,
): Promise<TokenSet> {
  const { url, init } = tokenExchangeRequest(spec, input);
  if (ctx.signal) init.signal = ctx.signal;
  const response = await send(() => ctx.fetch(url.href, init));
  return readTokenResponse(ctx, response, spec.tokenResponse, clock, tokenExpiresInDefault);
}
