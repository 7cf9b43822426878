/**
 * Helpers for the emulator's own tests: raw Graph requests (so the tests see exactly what the
 * emulator answers), the login flow, a clock that moves only when told, and a webhook receiver
 * that records what it is sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen } from '../http/listen.ts';
import { readBody } from '../http/respond.ts';
import { GRAPH_VERSION, type MessengerSandbox } from './server.ts';

export const REDIRECT_URI = 'http://127.0.0.1:4400/connect/oauth/callback';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A clock for `startMessengerSandbox({ clock })` that moves only when the test moves it. */
export class TestClock {
  #now: number;
  constructor(start = Date.UTC(2026, 5, 1, 12)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface GraphCall {
  token?: string;
  /** Sent as a JSON body. */
  json?: Record<string, unknown>;
  /** Sent as a form body; object values are JSON-encoded, as Meta's curl examples do. */
  form?: Record<string, unknown>;
  query?: Record<string, string>;
  /** Send the token as `access_token` instead of `Authorization: Bearer`. */
  tokenInQuery?: boolean;
}

/** One Graph API call, under the emulator's version prefix unless `path` has one. */
export async function graph(sandbox: MessengerSandbox, method: string, path: string, call: GraphCall = {}) {
  const versioned = /^\/v\d+\.\d+\//.test(path) ? path : `/${GRAPH_VERSION}${path}`;
  const url = new URL(sandbox.url + versioned);
  for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = {};
  if (call.token !== undefined) {
    if (call.tokenInQuery) url.searchParams.set('access_token', call.token);
    else headers.authorization = `Bearer ${call.token}`;
  }
  let body: string | undefined;
  if (call.json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(call.form)) {
      form.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    body = form.toString();
  }
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** `error` of a Graph error body, for assertions. */
export function graphError(answer: Answer): Record<string, unknown> {
  const error = answer.body.error as Record<string, unknown> | undefined;
  if (!error) throw new Error(`expected a Graph error, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return error;
}

/** The login dialog as a browser meets it: returns the redirect's URL without following it. */
export async function openDialog(
  sandbox: MessengerSandbox,
  params: Record<string, string>,
): Promise<Response> {
  const url = new URL(sandbox.endpoints.authorize);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return fetch(url, { redirect: 'manual' });
}

/** Logs in through the dialog and exchanges the code: returns the short-lived User token. */
export async function login(
  sandbox: MessengerSandbox,
  scope = 'pages_messaging,pages_show_list',
): Promise<string> {
  const dialog = await openDialog(sandbox, {
    client_id: sandbox.app.id,
    redirect_uri: REDIRECT_URI,
    state: 'st',
    scope,
  });
  const code = new URL(dialog.headers.get('location') ?? 'about:blank').searchParams.get('code');
  if (!code) throw new Error(`login dialog answered ${dialog.status} without a code`);
  const exchange = await graph(sandbox, 'GET', '/oauth/access_token', {
    query: { client_id: sandbox.app.id, client_secret: sandbox.app.secret, redirect_uri: REDIRECT_URI, code },
  });
  return exchange.body.access_token as string;
}

export interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  /** The raw bytes, as signed. */
  body: Buffer;
}

/** A webhook endpoint that answers the hub challenge for `verifyToken` and records deliveries. */
export async function startReceiver(verifyToken: string) {
  const received: Received[] = [];
  /** Statuses for the next POSTs, then 200. */
  const statuses: number[] = [];
  const listening = await listen((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://receiver.invalid');
      const body = await readBody(req);
      received.push({ method: req.method ?? 'GET', url, headers: req.headers, body });
      if (req.method === 'GET') {
        const verified =
          url.searchParams.get('hub.mode') === 'subscribe' &&
          url.searchParams.get('hub.verify_token') === verifyToken;
        res.writeHead(verified ? 200 : 403, { 'content-type': 'text/plain' });
        res.end(verified ? (url.searchParams.get('hub.challenge') ?? '') : 'wrong verify token');
        return;
      }
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    })();
  });
  return {
    url: `${listening.origin}/webhooks/meta`,
    received,
    posts: () => received.filter((request) => request.method === 'POST'),
    failNext: (...codes: number[]) => statuses.push(...codes),
    close: () => listening.close(),
  };
}
