/**
 * A complete OAuth connect without a browser, against a running engine and an authorization
 * server that approves at once (the sandbox's `/oauth/authorize`, not `interactive`): what the
 * connect page and its popup do, as plain HTTP requests.
 *
 * 1. the host backend creates a connect session (`POST /v1/connect/sessions`, API key);
 * 2. the connect page asks for the authorization URL (`POST /connect/api/oauth/start`, session token);
 * 3. the provider's authorize endpoint redirects to Patchbay's callback with `code` and `state`;
 * 4. the callback (`GET /connect/oauth/callback`) exchanges the code and saves the connection,
 *    whose id its page carries in `data-connection-id`.
 */

export interface HeadlessConnectOptions {
  /** The engine's API URL (where the session, page API and callback are served). */
  engineUrl: string;
  /** An API key of the environment the integration is in. */
  apiKey: string;
  /** The integration key (or id) to connect. */
  integration: string;
  /** Default `end-user-1`. */
  endUserId?: string;
  /** Values of the integration's connection config fields. */
  connectionConfig?: Record<string, string>;
}

export interface HeadlessConnectResult {
  connectionId: string;
  /** The callback URL the provider redirected to (carries the code and state). */
  callbackUrl: string;
}

/** Runs the whole connect; throws with the step and the answer that failed. */
export async function connectHeadless(options: HeadlessConnectOptions): Promise<HeadlessConnectResult> {
  const engine = options.engineUrl.replace(/\/+$/, '');
  const session = await json<{ token: string }>(
    'create the connect session',
    201,
    `${engine}/v1/connect/sessions`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ endUser: { id: options.endUserId ?? 'end-user-1' } }),
    },
  );

  const start = await json<{ authorizationUrl: string }>(
    'start the authorization',
    200,
    `${engine}/connect/api/oauth/start`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        integration: options.integration,
        connectionConfig: options.connectionConfig ?? {},
      }),
    },
  );

  const authorize = await fetch(start.authorizationUrl, { redirect: 'manual' });
  await authorize.arrayBuffer();
  const callbackUrl = authorize.headers.get('location');
  if (authorize.status < 300 || authorize.status > 399 || !callbackUrl) {
    throw new Error(`authorize: expected a redirect to the callback, got ${authorize.status}`);
  }
  const callback = new URL(callbackUrl, start.authorizationUrl);
  if (callback.searchParams.has('error')) {
    throw new Error(`authorize: the provider redirected with error=${callback.searchParams.get('error')}`);
  }

  const page = await fetch(callback);
  const html = await page.text();
  const connectionId = /data-connection-id="(conn_[A-Za-z0-9]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !connectionId) {
    const code = /data-error-code="([^"]*)"/.exec(html)?.[1];
    const message = /data-error-message="([^"]*)"/.exec(html)?.[1];
    throw new Error(`callback: ${page.status} ${code ?? 'no connection id'}${message ? `: ${message}` : ''}`);
  }
  return { connectionId, callbackUrl: callback.toString() };
}

async function json<T>(step: string, status: number, url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (response.status !== status) throw new Error(`${step}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}
