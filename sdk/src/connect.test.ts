/**
 * connect() against a scripted window (the real browser run is test/e2e/connect-page.test.ts):
 * which messages it accepts, and how it settles. The fake window is installed on globalThis,
 * where connect() finds the browser's.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type ConnectEvent, connect, PatchbayConnectError } from './connect.ts';

interface FakePopup {
  closed: boolean;
  focused: boolean;
  close(): void;
  focus(): void;
}

type Listener = (event: { origin: string; source: unknown; data: unknown }) => void;

const BASE = 'https://patchbay.example.com/base/';
const ORIGIN = 'https://patchbay.example.com';
const KEYS = [
  'open',
  'addEventListener',
  'removeEventListener',
  'screenX',
  'screenY',
  'outerWidth',
  'outerHeight',
];

describe('connect()', () => {
  let popup: FakePopup | null;
  let opened: Array<{ url: string; target: string; features: string }>;
  let listeners: Set<Listener>;

  beforeEach(() => {
    opened = [];
    listeners = new Set();
    popup = {
      closed: false,
      focused: false,
      close() {
        this.closed = true;
      },
      focus() {
        this.focused = true;
      },
    };
    Object.assign(globalThis, {
      open: (url: string, target: string, features: string) => {
        opened.push({ url, target, features });
        return popup;
      },
      addEventListener: (_type: string, listener: Listener) => listeners.add(listener),
      removeEventListener: (_type: string, listener: Listener) => listeners.delete(listener),
      screenX: 100,
      screenY: 50,
      outerWidth: 1280,
      outerHeight: 800,
    });
  });
  afterEach(() => {
    for (const key of KEYS) delete (globalThis as Record<string, unknown>)[key];
  });

  const post = (data: unknown, origin = ORIGIN, source: unknown = popup) => {
    for (const listener of [...listeners]) listener({ origin, source, data });
  };

  it('opens the connect page of the session in a centred popup', async () => {
    const pending = connect({ sessionToken: 'pb_cst_abc', baseUrl: BASE });
    assert.deepEqual(opened, [
      {
        url: 'https://patchbay.example.com/base/connect?session=pb_cst_abc',
        target: 'patchbay_connect',
        features: 'popup=yes,width=480,height=680,left=500,top=110',
      },
    ]);
    assert.equal(popup!.focused, true);
    post({ type: 'patchbay:connect', status: 'cancelled' });
    await assert.rejects(pending, { code: 'cancelled' });
  });

  it('resolves with the result posted by the popup from the base origin, closes it and stops listening', async () => {
    const events: ConnectEvent[] = [];
    const pending = connect({ sessionToken: 't', baseUrl: BASE, onEvent: (event) => events.push(event) });
    post({ type: 'patchbay:connect-event', event: { name: 'selected', integration: 'shopify' } });
    post({
      type: 'patchbay:connect',
      status: 'success',
      connectionId: 'conn_1',
      integration: 'shopify',
      provider: 'shopify',
    });
    assert.deepEqual(await pending, { connectionId: 'conn_1', integration: 'shopify', provider: 'shopify' });
    assert.deepEqual(events, [{ name: 'selected', integration: 'shopify' }]);
    assert.equal(popup!.closed, true);
    assert.equal(listeners.size, 0);
  });

  it('ignores messages from another origin or another window, and unrelated messages', async () => {
    const pending = connect({ sessionToken: 't', baseUrl: BASE });
    const forged = { type: 'patchbay:connect', status: 'success', connectionId: 'conn_forged' };
    post(forged, 'https://evil.example.com');
    post(forged, ORIGIN, {});
    post('patchbay:connect');
    post(null);
    post({ type: 'other', status: 'success', connectionId: 'conn_other' });
    post({
      type: 'patchbay:connect',
      status: 'success',
      connectionId: 'conn_real',
      integration: 'a',
      provider: 'b',
    });
    assert.equal((await pending).connectionId, 'conn_real');
  });

  it('rejects with the error the page reports', async () => {
    const pending = connect({ sessionToken: 't', baseUrl: BASE });
    post({
      type: 'patchbay:connect',
      status: 'error',
      error: { code: 'connect_session_expired', message: 'The session expired' },
    });
    await assert.rejects(pending, (error) => {
      assert.ok(error instanceof PatchbayConnectError);
      assert.equal(error.code, 'connect_session_expired');
      assert.equal(error.message, 'The session expired');
      return true;
    });
    assert.equal(popup!.closed, true);
  });

  it('rejects with window_closed once the user has closed the popup', async () => {
    const pending = connect({ sessionToken: 't', baseUrl: BASE });
    popup!.closed = true;
    await assert.rejects(pending, { name: 'PatchbayConnectError', code: 'window_closed' });
    assert.equal(listeners.size, 0);
  });

  it('rejects with popup_blocked when the browser refuses the window', async () => {
    popup = null;
    await assert.rejects(connect({ sessionToken: 't', baseUrl: BASE }), { code: 'popup_blocked' });
    assert.equal(listeners.size, 0);
  });
});
