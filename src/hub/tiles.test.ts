import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LockedIntegration } from '../plans/types.ts';
import type { ConnectionStatus } from '../store/index.ts';
import { hubOptionsSchema } from './options.ts';
import { HUB_TEXTS_EN, hubTexts } from './texts.ts';
import {
  accountNameOf,
  arrangeHub,
  type HubConnectionInput,
  type HubIntegrationInput,
  tileState,
} from './tiles.ts';
import type { HubConnection } from './types.ts';

const PRO = { key: 'pro', name: 'Pro', rank: 10 };
const BUSINESS = { key: 'business', name: 'Business', rank: 20 };

function integration(
  key: string,
  categories: string[],
  lock: LockedIntegration | null = null,
): HubIntegrationInput {
  return {
    key,
    provider: key,
    displayName: key.charAt(0).toUpperCase() + key.slice(1),
    description: `${key} description`,
    logoUrl: `https://patchbay.example.com/connect/logos/${key}`,
    categories,
    lock,
  };
}

function upgradeLock(key: string): LockedIntegration {
  return {
    integrationKey: key,
    code: 'plan_upgrade_required',
    details: { limit: 'integration', endUserId: 'u', plan: null, requiredPlan: PRO, integrationKey: key },
  };
}

function categoryLock(key: string): LockedIntegration {
  return {
    integrationKey: key,
    code: 'plan_limit_reached',
    details: {
      limit: 'category',
      category: 'payments',
      max: 1,
      usage: 1,
      endUserId: 'u',
      plan: PRO,
      requiredPlan: BUSINESS,
      integrationKey: key,
    },
  };
}

function connection(
  id: string,
  integrationKey: string,
  extra: Partial<HubConnectionInput> = {},
): HubConnectionInput {
  return {
    id,
    integrationKey,
    status: 'active',
    metadata: {},
    connectionConfig: {},
    lastError: null,
    createdAt: 1_000,
    lastSyncAt: null,
    pausedReason: null,
    ...extra,
  };
}

function hubConnection(status: ConnectionStatus, paused: boolean): HubConnection {
  return {
    id: 'c',
    status,
    paused,
    pausedReason: paused ? 'connections' : null,
    requiredPlan: null,
    accountName: null,
    lastSyncAt: null,
    lastError: null,
    needsReconnect: false,
    createdAt: 0,
  };
}

describe('hub tiles', () => {
  it('puts every integration in exactly one state, grouped by its first category in the given order', () => {
    const view = arrangeHub({
      endUserId: 'u',
      plan: { key: 'free', name: 'Free' },
      integrations: [
        integration('woo', ['commerce']),
        integration('stripe', ['payments'], upgradeLock('stripe')),
        integration('paypal', ['payments'], categoryLock('paypal')),
        integration('gumroad', ['commerce', 'payments'], upgradeLock('gumroad')),
        integration('square', ['payments', 'commerce']),
        integration('slack', ['messaging']),
      ],
      comingSoon: [
        {
          provider: 'shopify',
          displayName: 'Shopify',
          description: '',
          logoUrl: '',
          categories: ['commerce'],
        },
        // An enabled integration of a listed provider wins: no coming-soon tile beside it.
        { provider: 'slack', displayName: 'Slack', description: '', logoUrl: '', categories: ['messaging'] },
      ],
      connections: [
        connection('c1', 'gumroad', { metadata: { accountName: 'Ada Records' }, lastSyncAt: 5_000 }),
        connection('c2', 'square', { pausedReason: 'category:payments' }),
        connection('c3', 'slack', { status: 'reauth_required' }),
      ],
      categoryOrder: ['payments', 'commerce', 'messaging'],
    });
    assert.deepEqual(
      view.categories.map((group) => [
        group.category,
        group.tiles.map((tile) => `${tile.key}:${tile.state}`),
      ]),
      [
        ['payments', ['paypal:locked', 'square:error', 'stripe:locked']],
        ['commerce', ['gumroad:connected', 'shopify:coming_soon', 'woo:available']],
        ['messaging', ['slack:connected']],
      ],
    );
    const tiles = new Map(view.categories.flatMap((group) => group.tiles.map((tile) => [tile.key, tile])));
    assert.deepEqual(tiles.get('stripe')?.lock, {
      code: 'plan_upgrade_required',
      limit: 'integration',
      requiredPlan: { key: 'pro', name: 'Pro' },
      category: null,
      max: null,
      usage: null,
    });
    assert.deepEqual(tiles.get('paypal')?.lock, {
      code: 'plan_limit_reached',
      limit: 'category',
      requiredPlan: { key: 'business', name: 'Business' },
      category: 'payments',
      max: 1,
      usage: 1,
    });
    // A connected tile shows its connection, not the lock a new one would get.
    assert.equal(tiles.get('gumroad')?.lock, null);
    assert.equal(tiles.get('gumroad')?.connections[0]?.accountName, 'Ada Records');
    assert.equal(tiles.get('gumroad')?.connections[0]?.lastSyncAt, 5_000);
    assert.equal(tiles.get('gumroad')?.connections[0]?.requiredPlan, null);
    assert.equal(tiles.get('square')?.connections[0]?.paused, true);
    assert.equal(tiles.get('slack')?.connections[0]?.needsReconnect, true);
    assert.equal(tiles.get('woo')?.connections.length, 0);
  });

  it('names the plan that resumes a paused connection', () => {
    const view = arrangeHub({
      endUserId: 'u',
      plan: { key: 'pro', name: 'Pro' },
      integrations: [integration('stripe-eu', ['payments'], categoryLock('stripe-eu'))],
      comingSoon: [],
      connections: [connection('c9', 'stripe-eu', { pausedReason: 'category:payments' })],
      categoryOrder: ['payments'],
    });
    const tile = view.categories[0]?.tiles[0];
    assert.equal(tile?.state, 'error');
    assert.equal(tile?.lock, null);
    assert.deepEqual(tile?.connections[0]?.requiredPlan, { key: 'business', name: 'Business' });
  });

  it('derives the state from connections first, then the lock', () => {
    const lock = upgradeLock('x');
    const statuses: ConnectionStatus[] = ['active', 'refreshing', 'reauth_required', 'error', 'disconnected'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ status: fc.constantFrom(...statuses), paused: fc.boolean() }), { maxLength: 4 }),
        fc.boolean(),
        (rows, locked) => {
          const connections = rows.map((row) => hubConnection(row.status, row.paused));
          const state = tileState(connections, locked ? lock : null);
          if (connections.length === 0) return state === (locked ? 'locked' : 'available');
          const failing = rows.some(
            (row) => row.paused || row.status === 'error' || row.status === 'disconnected',
          );
          return state === (failing ? 'error' : 'connected');
        },
      ),
    );
  });

  it('names the account from naming metadata, else the first config value', () => {
    assert.equal(accountNameOf({ accountId: 'acct_1', email: 'a@example.com' }, {}), 'a@example.com');
    assert.equal(accountNameOf({ accountName: '  Shop  ', name: 'n' }, {}), 'Shop');
    assert.equal(accountNameOf({ accountName: 42 }, { shop: 'ada.myshopify.com' }), 'ada.myshopify.com');
    assert.equal(accountNameOf({}, {}), null);
  });
});

describe('hub options and texts', () => {
  it('accepts plain colours, lengths and font names only', () => {
    const ok = hubOptionsSchema.safeParse({
      theme: { accent: '#0b6e4f', surface: 'rgb(255, 255, 255)', text: 'hsl(220 10% 10%)', radius: '0.5rem' },
      darkTheme: { accent: '#7aa0ffcc' },
      colorScheme: 'light',
      locale: 'pt-BR',
    });
    assert.equal(ok.success, true, JSON.stringify(ok.error?.issues));
    for (const theme of [
      { accent: 'red' },
      { accent: '#12345' },
      { accent: 'rgb(0,0,0);color:red' },
      { accent: 'url(https://evil.example)' },
      { accent: 'expression(alert(1))' },
      { radius: '1px;}' },
      { radius: 'calc(1px)' },
      { fontFamily: '"Inter"' },
      { fontFamily: 'a;b' },
      { fontFamily: 'x}body{' },
      { unknownProperty: '#fff' },
    ]) {
      assert.equal(hubOptionsSchema.safeParse({ theme }).success, false, JSON.stringify(theme));
    }
  });

  it('serves English for unknown locales and lays the host’s texts over it', () => {
    assert.deepEqual(hubTexts('de-AT'), { locale: 'en', texts: HUB_TEXTS_EN });
    const custom = hubTexts('pt-BR', { 'action.connect': 'Conectar' });
    assert.equal(custom.locale, 'pt-BR', 'the page is in the language the host’s texts are in');
    assert.equal(custom.texts['action.connect'], 'Conectar');
    assert.equal(custom.texts['action.upgrade'], HUB_TEXTS_EN['action.upgrade']);
  });

  it('has a text for every provider category and every state the page shows', async () => {
    const { CATEGORIES } = await import('../catalog/index.ts');
    for (const category of CATEGORIES) assert.ok(`category.${category}` in HUB_TEXTS_EN, category);
    for (const state of ['connected', 'available', 'locked', 'coming_soon', 'error']) {
      assert.ok(`state.${state}` in HUB_TEXTS_EN, state);
    }
    for (const status of ['active', 'refreshing', 'reauth_required', 'error', 'disconnected']) {
      assert.ok(`status.${status}` in HUB_TEXTS_EN, status);
    }
    for (const status of ['queued', 'running', 'succeeded', 'failed', 'cancelled']) {
      assert.ok(`run.${status}` in HUB_TEXTS_EN, status);
    }
  });

  it('knows every text key the page script asks for', async () => {
    const { readFile } = await import('node:fs/promises');
    const script = await readFile(new URL('../api/hub/ui/hub.js', import.meta.url), 'utf8');
    const keys = [...script.matchAll(/\bt\('([a-zA-Z_.]+)'/g)].map((match) => match[1] ?? '');
    assert.ok(keys.length > 40, `found ${keys.length} keys`);
    const missing = keys.filter((key) => !(key in HUB_TEXTS_EN));
    assert.deepEqual(missing, []);
  });
});
