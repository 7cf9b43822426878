/**
 * `openHub()`: the browser half of the integrations hub. It opens Patchbay's hub page for a hub
 * session in a popup and reports what happens there — above all `upgrade_requested`, when the end
 * user asks for a plan that unlocks an integration, so your app can show its checkout.
 *
 * Like connect.ts, this file has no runtime imports and touches only standard browser APIs, and
 * declares the few browser types it needs itself (the SDK is type-checked without the DOM library).
 */

/** What the hub posts when the end user presses Upgrade on a locked tile or a paused connection. */
export interface UpgradeRequest {
  type: 'upgrade_requested';
  /** The integration key the end user wants. */
  integration: string;
  /** The key of the cheapest plan that allows it. */
  plan: string;
}

/** Progress the hub reports while it is open. */
export type HubEvent =
  | { name: 'ready' }
  | { name: 'refreshed' }
  | { name: 'connected'; connectionId: string; integration: string }
  | { name: 'disconnected'; connectionId: string; integration: string }
  | { name: 'error'; error: { code: string; message: string } };

/** Options of `openHub()`. */
export interface HubOptions {
  /** The hub session token (`pb_cst_…`) your backend got from `POST /v1/hub/sessions`. */
  sessionToken: string;
  /** Where Patchbay is served for browsers, e.g. `https://patchbay.example.com`. */
  baseUrl: string;
  /** The end user asked for a plan: show your upgrade flow, change the plan, then call `refresh()`. */
  onUpgradeRequested?: (request: UpgradeRequest) => void;
  /** Called with the hub's progress events. */
  onEvent?: (event: HubEvent) => void;
  /** `light` or `dark` forces the colour scheme; default the session's (or the browser's). */
  colorScheme?: 'light' | 'dark';
  /** Popup size in CSS pixels; default 820 × 760. */
  width?: number;
  height?: number;
}

/** The open hub. */
export interface HubHandle {
  /** Asks the hub to load its tiles again (after your app changed the end user's plan). */
  refresh(): void;
  close(): void;
  /**
   * Settles when the hub is gone: resolves when the user closed it (the Close button or the
   * window), rejects with `{ code, message }` when the page reports the session unusable.
   */
  readonly closed: Promise<void>;
}

// The browser APIs used here, declared structurally (no DOM library in the SDK's types).
interface HubWindow {
  readonly closed: boolean;
  close(): void;
  focus(): void;
  postMessage(message: unknown, targetOrigin: string): void;
}
interface HubMessageEvent {
  readonly origin: string;
  readonly source: unknown;
  readonly data: unknown;
}
interface BrowserWindow {
  open(url: string, target: string, features: string): HubWindow | null;
  addEventListener(type: 'message', listener: (event: HubMessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: HubMessageEvent) => void): void;
  readonly screenX: number;
  readonly screenY: number;
  readonly outerWidth: number;
  readonly outerHeight: number;
}

const POLL_MS = 400;

/** Why `openHub()` could not open, or the hub ended (`popup_blocked`, `connect_session_expired`…). */
export class PatchbayHubError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'PatchbayHubError';
    this.code = code;
  }
}

/**
 * Opens the hub for `sessionToken` in a centred popup. Call it from a click handler, or the
 * browser blocks the popup (then it throws PatchbayHubError `popup_blocked`). Only messages from
 * the popup itself, sent from `baseUrl`'s origin, are accepted.
 *
 * @example
 * button.addEventListener('click', async () => {
 *   const { token } = await (await fetch('/api/patchbay/hub-session', { method: 'POST' })).json();
 *   const hub = openHub({
 *     sessionToken: token,
 *     baseUrl: 'https://patchbay.example.com',
 *     onUpgradeRequested: async ({ plan }) => {
 *       await startCheckout(plan);
 *       hub.refresh();
 *     },
 *   });
 * });
 */
export function openHub(options: HubOptions): HubHandle {
  const browser = globalThis as unknown as BrowserWindow;
  const base = new URL(options.baseUrl);
  const origin = base.origin;
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/hub`, origin);
  url.searchParams.set('session', options.sessionToken);
  if (options.colorScheme) url.searchParams.set('scheme', options.colorScheme);

  const width = options.width ?? 820;
  const height = options.height ?? 760;
  const left = Math.max(0, Math.round(browser.screenX + (browser.outerWidth - width) / 2));
  const top = Math.max(0, Math.round(browser.screenY + (browser.outerHeight - height) / 2));
  const popup = browser.open(
    url.href,
    'patchbay_hub',
    `popup=yes,width=${width},height=${height},left=${left},top=${top}`,
  );
  if (!popup) {
    throw new PatchbayHubError(
      'popup_blocked',
      'The browser blocked the hub window: call openHub() from a click handler.',
    );
  }
  popup.focus();

  let settle: (error?: PatchbayHubError) => void = () => {};
  const closed = new Promise<void>((resolve, reject) => {
    let closedTicks = 0;
    const timer = setInterval(() => {
      if (!popup.closed) return;
      closedTicks += 1;
      if (closedTicks < 2) return;
      settle();
    }, POLL_MS);
    const onMessage = (event: HubMessageEvent) => {
      if (event.origin !== origin || event.source !== popup) return;
      const data = event.data as Partial<PageMessage> | null;
      if (!data || typeof data !== 'object') return;
      if (
        data.type === 'upgrade_requested' &&
        typeof data.integration === 'string' &&
        typeof data.plan === 'string'
      ) {
        options.onUpgradeRequested?.({
          type: 'upgrade_requested',
          integration: data.integration,
          plan: data.plan,
        });
      } else if (data.type === 'patchbay:hub-event' && data.event) {
        options.onEvent?.(data.event);
      } else if (data.type === 'patchbay:hub' && data.status === 'closed') {
        settle();
      } else if (data.type === 'patchbay:hub' && data.status === 'error') {
        const error = data.error ?? { code: 'internal_error', message: 'The hub failed.' };
        settle(new PatchbayHubError(error.code, error.message));
      }
    };
    settle = (error) => {
      clearInterval(timer);
      browser.removeEventListener('message', onMessage);
      settle = () => {};
      if (error) reject(error);
      else resolve();
    };
    browser.addEventListener('message', onMessage);
  });

  return {
    refresh() {
      if (!popup.closed) popup.postMessage({ type: 'patchbay:hub-refresh' }, origin);
    },
    close() {
      popup.close();
      settle();
    },
    closed,
  };
}

/** What the hub page posts to the host page. */
interface PageMessage {
  type: 'upgrade_requested' | 'patchbay:hub-event' | 'patchbay:hub';
  integration: string;
  plan: string;
  status: 'closed' | 'error';
  error: { code: string; message: string };
  event: HubEvent;
}
