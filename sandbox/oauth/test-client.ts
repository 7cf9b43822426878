/**
 * A minimal hand-written OAuth client for the sandbox's own tests: raw requests, so the tests see
 * exactly what the server answers (a spec-faithful client library would hide the details tested).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OAuthSandbox } from './server.ts';

export const CLIENT = {
  clientId: 'test-client',
  clientSecret: 'test-secret: with+special chars/=',
  redirectUris: ['http://127.0.0.1:4400/connect/oauth/callback', 'http://localhost:4400/cb'],
};
export const REDIRECT_URI = CLIENT.redirectUris[0] as string;

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** GET of the authorization endpoint without following the redirect. */
export async function authorize(sandbox: OAuthSandbox, params: Record<string, string>): Promise<Response> {
  const url = new URL(sandbox.endpoints.authorize);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return fetch(url, { redirect: 'manual' });
}

/** Authorizes with the test client and PKCE, returning the code and its verifier. */
export async function authorizeCode(
  sandbox: OAuthSandbox,
  extra: Record<string, string> = {},
): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const res = await authorize(sandbox, {
    response_type: 'code',
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    state: 'st-1',
    scope: 'read write',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  const location = new URL(res.headers.get('location') ?? 'about:blank');
  const code = location.searchParams.get('code');
  if (res.status !== 302 || !code) throw new Error(`authorization failed: ${res.status} ${location.href}`);
  return { code, verifier };
}

export type ClientAuth = 'basic' | 'post' | 'none';

/** POST of a form to the token or revocation endpoint with the test client's credentials. */
export async function postForm(
  url: string,
  form: Record<string, string>,
  auth: ClientAuth = 'post',
  client: { clientId: string; clientSecret: string } = CLIENT,
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(form);
  if (auth === 'basic') {
    const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');
    const pair = `${encode(client.clientId)}:${encode(client.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else if (auth === 'post') {
    body.set('client_id', client.clientId);
    body.set('client_secret', client.clientSecret);
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export function token(sandbox: OAuthSandbox, form: Record<string, string>, auth: ClientAuth = 'post') {
  return postForm(sandbox.endpoints.token, form, auth);
}

export async function exchangeCode(sandbox: OAuthSandbox, auth: ClientAuth = 'post'): Promise<Answer> {
  const { code, verifier } = await authorizeCode(sandbox);
  return token(
    sandbox,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
    auth,
  );
}

/** GET of an API path with an optional bearer token. */
export async function api(sandbox: OAuthSandbox, path: string, accessToken?: string): Promise<Answer> {
  const headers: Record<string, string> = accessToken ? { authorization: `Bearer ${accessToken}` } : {};
  const res = await fetch(new URL(path, sandbox.endpoints.api), { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
