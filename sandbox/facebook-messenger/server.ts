/**
 * A Graph API / Messenger Platform emulator on loopback, written from Meta's documentation:
 * Facebook Login (dialog, code exchange, `fb_exchange_token`, `debug_token`, revocation), Page
 * access tokens, the Send API with its messaging window, message tags, private replies and
 * templates, Meta's error codes, and Page webhooks (hub challenge, `X-Hub-Signature-256`).
 *
 * Both of Meta's origins are served from one: the dialog's path (`/vNN.N/dialog/oauth`) and the
 * Graph paths never collide, so a definition's `settings.baseUrls = { '*': sandbox.url }` points
 * `www.facebook.com` and `graph.facebook.com` at it alike.
 *
 * @example
 * const fb = await startMessengerSandbox({ redirectUris: ['http://127.0.0.1:4400/connect/oauth/callback'] });
 * await fb.control.subscribeWebhook({ callbackUrl, verifyToken: 'vt' });
 * const buyer = fb.control.addUser();
 * await fb.control.userMessages(buyer.psid, 'I want the blue one'); // window open for 24 h
 * const token = fb.issuePageToken();
 * await fetch(`${fb.url}/v23.0/me/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, … });
 * await fb.close();
 */
import { randomBytes } from 'node:crypto';
import { listen } from '../http/listen.ts';
import { Router } from '../http/router.ts';
import { type RateLimitOptions, SlidingWindowLimiter } from '../oauth/rate-limit.ts';
import type { SandboxClock } from '../oauth/tokens.ts';
import type { MessengerContext } from './context.ts';
import { createControl, type MessengerSandboxControl } from './control.ts';
import { MessengerFaults } from './faults.ts';
import { GraphIds } from './ids.ts';
import { CODE_TTL_MS } from './login-dialog.ts';
import { createMessengerHandler } from './routes.ts';
import { MessengerSandboxStats } from './stats.ts';
import { MessengerStore } from './store.ts';
import { TokenStore } from './tokens.ts';
import { WebhookDispatcher } from './webhooks.ts';

/** The Graph API version the emulator's own URLs use (any `vNN.N` is accepted). */
export const GRAPH_VERSION = 'v23.0';

/** The scopes a Messenger connection asks for (the provider definition's defaults). */
export const MESSENGER_SCOPES = ['pages_messaging', 'pages_show_list', 'pages_manage_metadata'];

/** Options of `startMessengerSandbox`; every one has a default. */
export interface MessengerSandboxOptions {
  appId?: string;
  appSecret?: string;
  appName?: string;
  /** The app's Valid OAuth Redirect URIs (exact match); default Patchbay's local callback. */
  redirectUris?: string[];
  pageId?: string;
  pageName?: string;
  /** The Facebook user who logs in (the Page's admin). */
  userName?: string;
  /** Lifetime of the User token a login code gives (default 5400 s: "an hour or two"). */
  shortLivedTokenSeconds?: number;
  /** Lifetime of a long-lived User token (default 60 days). */
  longLivedTokenSeconds?: number;
  /** The Send API's per-Page limit (default Meta's 300 calls a second for text); false: none. */
  sendRateLimit?: RateLimitOptions | false;
  /** How long a webhook call may take (default 20 s, Meta's timeout). */
  webhookTimeoutMs?: number;
  /** Time for tokens, windows, rate limits and webhook retries (default the system clock). */
  clock?: SandboxClock;
  host?: string;
  port?: number;
}

/** A running Messenger emulator. */
export interface MessengerSandbox {
  /** `http://127.0.0.1:<port>`: the base-URL override for www.facebook.com and graph.facebook.com. */
  readonly url: string;
  readonly endpoints: { authorize: string; token: string; graph: string };
  readonly app: { id: string; secret: string; name: string };
  readonly page: { id: string; name: string };
  /** The Facebook user who logs in. */
  readonly user: { id: string; name: string };
  readonly control: MessengerSandboxControl;
  readonly stats: MessengerSandboxStats;
  /** A User token without the login dialog (short-lived unless `longLived`). */
  issueUserToken(options?: { scopes?: readonly string[]; longLived?: boolean }): string;
  /** A Page token derived from a fresh User token (never expires unless `longLived: false`). */
  issuePageToken(options?: { scopes?: readonly string[]; longLived?: boolean }): string;
  close(): Promise<void>;
}

const systemClock: SandboxClock = { now: () => Date.now() };

/** Starts a Messenger emulator on loopback (a free port unless `port` is given). */
export async function startMessengerSandbox(
  options: MessengerSandboxOptions = {},
): Promise<MessengerSandbox> {
  const clock = options.clock ?? systemClock;
  const ids = new GraphIds();
  const app = {
    id: options.appId ?? ids.numeric(15),
    // App secrets are 32 hexadecimal characters.
    secret: options.appSecret ?? randomBytes(16).toString('hex'),
    name: options.appName ?? 'Patchbay Sandbox App',
    redirectUris: options.redirectUris ?? ['http://127.0.0.1:4400/connect/oauth/callback'],
  };
  const stats = new MessengerSandboxStats();
  const store = new MessengerStore(ids, {
    id: options.pageId ?? ids.numeric(15),
    name: options.pageName ?? 'Sandbox Live Sales',
    category: 'Shopping & retail',
  });
  const ctx: MessengerContext = {
    app,
    user: { id: ids.numeric(16), name: options.userName ?? 'Sandbox Page Admin' },
    store,
    tokens: new TokenStore(clock, app.id),
    ids,
    clock,
    stats,
    faults: new MessengerFaults(),
    webhooks: new WebhookDispatcher({
      appSecret: app.secret,
      clock,
      timeoutMs: options.webhookTimeoutMs ?? 20_000,
      stats,
    }),
    settings: {
      shortLivedTokenSeconds: options.shortLivedTokenSeconds ?? 5400,
      longLivedTokenSeconds: options.longLivedTokenSeconds ?? 60 * 86_400,
      codeTtlMs: CODE_TTL_MS,
    },
    limiter:
      options.sendRateLimit === false
        ? undefined
        : new SlidingWindowLimiter(options.sendRateLimit ?? { requests: 300, windowSeconds: 1 }, clock),
    loginDenials: 0,
  };

  const router = new Router();
  router.prefix('/', createMessengerHandler(ctx));
  const listening = await listen(router.handle, {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  const url = listening.origin;

  const issueUserToken = (input: { scopes?: readonly string[]; longLived?: boolean } = {}) => {
    const longLived = input.longLived ?? false;
    const ttl = longLived ? ctx.settings.longLivedTokenSeconds : ctx.settings.shortLivedTokenSeconds;
    const scopes = ['public_profile', ...(input.scopes ?? MESSENGER_SCOPES)];
    return ctx.tokens.issueUserToken(ctx.user.id, scopes, ttl, longLived);
  };

  return {
    url,
    endpoints: {
      authorize: `${url}/${GRAPH_VERSION}/dialog/oauth`,
      token: `${url}/${GRAPH_VERSION}/oauth/access_token`,
      graph: `${url}/${GRAPH_VERSION}`,
    },
    app: { id: app.id, secret: app.secret, name: app.name },
    page: { id: store.page.id, name: store.page.name },
    user: { ...ctx.user },
    control: createControl(ctx, () => store.newPostId()),
    stats,
    issueUserToken,
    issuePageToken: (input = {}) =>
      ctx.tokens.issuePageToken(
        issueUserToken({ ...input, longLived: input.longLived ?? true }),
        store.page.id,
      ),
    async close() {
      ctx.faults.clear();
      await listening.close();
    },
  };
}
