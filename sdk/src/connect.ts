/**
 * `connect()`: the browser half of the connect flow. It opens Patchbay's connect page in a popup
 * and resolves with the connection the end user made there.
 *
 * This file has no runtime imports and touches only standard browser APIs, so any bundler (or a
 * plain `<script type="module">`, after type stripping) can use it. It declares the few browser
 * types it needs itself, because the SDK is type-checked without the DOM library.
 */
import type { ErrorCode } from '../../src/errors/codes.ts';

/** What `connect()` resolves with. */
export interface ConnectResult {
  /** The new (or reconnected) connection's id, `conn_…`: store it with your user. */
  connectionId: string;
  /** The integration key the user connected (`shopify`). */
  integration: string;
  /** Its provider (`shopify`). */
  provider: string;
}

/** Progress reported by the connect page while it is open. */
export type ConnectEvent =
  | { name: 'ready' }
  | { name: 'selected'; integration: string }
  | { name: 'authorization_started'; integration: string }
  /** A failure the user can retry on the page (rejected credentials, a closed sign-in window…). */
  | { name: 'error'; integration: string | null; error: { code: string; message: string } };

/** Options of `connect()`. */
export interface ConnectOptions {
  /** The connect session token (`pb_cst_…`) your backend got from `POST /v1/connect/sessions`. */
  sessionToken: string;
  /** Where Patchbay is served for browsers, e.g. `https://patchbay.example.com`. */
  baseUrl: string;
  /** Called with the page's progress events. */
  onEvent?: (event: ConnectEvent) => void;
  /** Popup size in CSS pixels; default 480 × 680. */
  width?: number;
  height?: number;
}

/** Codes `connect()` rejects with besides the API's own (`connect_session_expired`, …). */
export type ConnectErrorCode = 'popup_blocked' | 'window_closed' | 'cancelled';

/**
 * Why `connect()` did not produce a connection. Branch on `code`: `window_closed` (the user
 * closed the popup), `cancelled` (the user pressed Cancel), `popup_blocked` (call connect() from
 * a click handler), or an API error code reported by the page (`connect_session_expired`).
 */
export class PatchbayConnectError extends Error {
  /** The stable error code. */
  readonly code: ConnectErrorCode | ErrorCode;

  constructor(code: ConnectErrorCode | ErrorCode, message: string) {
    super(message);
    this.name = 'PatchbayConnectError';
    this.code = code;
  }
}

// The browser APIs used here, declared structurally (no DOM library in the SDK's types).
interface PopupWindow {
  readonly closed: boolean;
  close(): void;
  focus(): void;
}
interface ConnectMessageEvent {
  readonly origin: string;
  readonly source: unknown;
  readonly data: unknown;
}
interface BrowserWindow {
  open(url: string, target: string, features: string): PopupWindow | null;
  addEventListener(type: 'message', listener: (event: ConnectMessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: ConnectMessageEvent) => void): void;
  readonly screenX: number;
  readonly screenY: number;
  readonly outerWidth: number;
  readonly outerHeight: number;
}

const POLL_MS = 400;

/**
 * Opens the connect page for `sessionToken` in a centred popup and resolves when the end user has
 * connected an account. Call it from a click handler, or the browser blocks the popup.
 *
 * Only messages from the popup itself, sent from `baseUrl`'s origin, are accepted. Rejects with
 * PatchbayConnectError when the popup is blocked or closed, the user cancels, or the page reports
 * that the session cannot be used.
 *
 * @example
 * button.addEventListener('click', async () => {
 *   const { token } = await (await fetch('/api/patchbay/connect-session', { method: 'POST' })).json();
 *   const { connectionId } = await connect({ sessionToken: token, baseUrl: 'https://patchbay.example.com' });
 * });
 */
export function connect(options: ConnectOptions): Promise<ConnectResult> {
  const browser = globalThis as unknown as BrowserWindow;
  const base = new URL(options.baseUrl);
  const origin = base.origin;
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/connect`, origin);
  url.searchParams.set('session', options.sessionToken);

  const width = options.width ?? 480;
  const height = options.height ?? 680;
  const left = Math.max(0, Math.round(browser.screenX + (browser.outerWidth - width) / 2));
  const top = Math.max(0, Math.round(browser.screenY + (browser.outerHeight - height) / 2));
  const popup = browser.open(
    url.href,
    'patchbay_connect',
    `popup=yes,width=${width},height=${height},left=${left},top=${top}`,
  );
  if (!popup) {
    return Promise.reject(
      new PatchbayConnectError(
        'popup_blocked',
        'The browser blocked the connect window: call connect() from a click handler.',
      ),
    );
  }
  popup.focus();

  return new Promise<ConnectResult>((resolve, reject) => {
    let closedTicks = 0;
    const timer = setInterval(() => {
      if (!popup.closed) return;
      // The page may post its result just before the window closes: give it one more tick.
      closedTicks += 1;
      if (closedTicks < 2) return;
      settle();
      reject(new PatchbayConnectError('window_closed', 'The connect window was closed before connecting.'));
    }, POLL_MS);

    const onMessage = (event: ConnectMessageEvent) => {
      if (event.origin !== origin || event.source !== popup) return;
      const data = event.data as Partial<PageMessage> | null;
      if (!data || typeof data !== 'object') return;
      if (data.type === 'patchbay:connect-event' && data.event) {
        options.onEvent?.(data.event);
        return;
      }
      if (data.type !== 'patchbay:connect') return;
      if (data.status === 'success' && typeof data.connectionId === 'string') {
        settle();
        popup.close();
        resolve({
          connectionId: data.connectionId,
          integration: String(data.integration),
          provider: String(data.provider),
        });
      } else if (data.status === 'cancelled') {
        settle();
        reject(new PatchbayConnectError('cancelled', 'The user cancelled connecting.'));
      } else if (data.status === 'error') {
        settle();
        popup.close();
        const error = data.error ?? { code: 'internal_error', message: 'The connect page failed.' };
        reject(new PatchbayConnectError(error.code as ErrorCode, error.message));
      }
    };

    function settle() {
      clearInterval(timer);
      browser.removeEventListener('message', onMessage);
    }
    browser.addEventListener('message', onMessage);
  });
}

/** What the connect page posts to the host page. */
interface PageMessage {
  type: 'patchbay:connect' | 'patchbay:connect-event';
  status: 'success' | 'error' | 'cancelled';
  connectionId: string;
  integration: string;
  provider: string;
  error: { code: string; message: string };
  event: ConnectEvent;
}
