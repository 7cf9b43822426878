import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Catalog, loadCatalog, type ProviderDefinition } from '../../catalog/index.ts';
import type { Integration } from '../../integrations/types.ts';
import { presentIntegration } from './flow-present.ts';
import { arrangeTiles, type OfferedIntegration } from './flow-tiles.ts';

const PUBLIC_URL = 'https://patchbay.example.com';
const builtin = await loadCatalog();

// A family whose provider is never offered in some tests: acme, with two variants.
const catalog: Catalog = new Map<string, ProviderDefinition>([
  ...builtin,
  ['acme', { ...builtin.get('gumroad')!, name: 'acme', displayName: 'Acme', description: 'Acme widgets.' }],
  [
    'acme-keys',
    { ...builtin.get('resend')!, name: 'acme-keys', displayName: 'Acme (keys)', variantOf: 'acme' },
  ],
  [
    'acme-basic',
    { ...builtin.get('woocommerce')!, name: 'acme-basic', displayName: 'Acme (basic)', variantOf: 'acme' },
  ],
]);

function integration(provider: string, extra: Partial<Integration> = {}): Integration {
  return {
    id: `int_${extra.key ?? provider}`,
    environmentId: 'env_1',
    key: provider,
    provider,
    displayName: null,
    clientId: null,
    hasClientSecret: false,
    hasWebhookSecret: false,
    scopes: null,
    settings: {},
    enabled: true,
    createdAt: 0,
    updatedAt: 0,
    ...extra,
  };
}

function offer(...integrations: Array<Integration | string>): OfferedIntegration[] {
  return integrations.map((item) => {
    const offered = typeof item === 'string' ? integration(item) : item;
    const definition = catalog.get(offered.provider)!;
    return { definition, view: presentIntegration(offered, definition, catalog, PUBLIC_URL) };
  });
}

const tilesOf = (offered: OfferedIntegration[]) => arrangeTiles(offered, catalog, PUBLIC_URL);

describe('connect page tiles', () => {
  it('puts Stripe and its own-keys variant on one tile, Connect first, where Stripe is listed', () => {
    const offered = offer('shopify', 'stripe', 'woocommerce', 'stripe-api-key');
    assert.deepEqual(tilesOf(offered), [
      {
        key: 'shopify',
        provider: 'shopify',
        displayName: 'Shopify',
        description: catalog.get('shopify')!.description,
        logoUrl: `${PUBLIC_URL}/connect/logos/shopify`,
        integrations: ['shopify'],
      },
      {
        key: 'stripe',
        provider: 'stripe',
        displayName: 'Stripe',
        description: catalog.get('stripe')!.description,
        logoUrl: `${PUBLIC_URL}/connect/logos/stripe`,
        integrations: ['stripe', 'stripe-api-key'],
      },
      {
        key: 'woocommerce',
        provider: 'woocommerce',
        displayName: 'WooCommerce',
        description: catalog.get('woocommerce')!.description,
        logoUrl: `${PUBLIC_URL}/connect/logos/woocommerce`,
        integrations: ['woocommerce'],
      },
    ]);
    assert.deepEqual(
      offered.map(({ view }) => [view.key, view.methodLabel]),
      [
        ['shopify', 'Connect with Shopify'],
        ['stripe', 'Connect with Stripe'],
        ['woocommerce', 'Enter credentials'],
        ['stripe-api-key', 'Use my own keys'],
      ],
    );
  });

  it('places the family where its first integration is listed, and still lists the parent first', () => {
    const tiles = tilesOf(offer('stripe-api-key', 'shopify', 'stripe'));
    assert.deepEqual(
      tiles.map((tile) => [tile.key, tile.integrations]),
      [
        ['stripe', ['stripe', 'stripe-api-key']],
        ['shopify', ['shopify']],
      ],
    );
  });

  it('shows a variant offered alone as its own tile: the only method the session allows', () => {
    const [tile] = tilesOf(offer('stripe-api-key'));
    assert.deepEqual(tile, {
      key: 'stripe-api-key',
      provider: 'stripe',
      displayName: 'Stripe (API keys)',
      description: catalog.get('stripe-api-key')!.description,
      logoUrl: `${PUBLIC_URL}/connect/logos/stripe-api-key`,
      integrations: ['stripe-api-key'],
    });
  });

  it('names a tile by the integration’s display name, and by the family’s provider when only variants are offered', () => {
    const renamed = tilesOf(
      offer(integration('stripe', { key: 'payments', displayName: 'Payments' }), 'stripe-api-key'),
    );
    assert.deepEqual(
      renamed.map((tile) => [tile.key, tile.displayName, tile.integrations]),
      [['payments', 'Payments', ['payments', 'stripe-api-key']]],
    );
    const variants = tilesOf(offer('acme-keys', 'acme-basic'));
    assert.deepEqual(variants, [
      {
        key: 'acme-basic',
        provider: 'acme',
        displayName: 'Acme',
        description: 'Acme widgets.',
        logoUrl: `${PUBLIC_URL}/connect/logos/acme`,
        integrations: ['acme-basic', 'acme-keys'],
      },
    ]);
  });

  it('keeps a family apart when one of its providers has two integrations (two Stripe platforms)', () => {
    const tiles = tilesOf(
      offer(
        'stripe',
        integration('stripe', { key: 'stripe-eu', displayName: 'Stripe EU' }),
        'stripe-api-key',
      ),
    );
    assert.deepEqual(
      tiles.map((tile) => [tile.key, tile.integrations]),
      [
        ['stripe', ['stripe']],
        ['stripe-eu', ['stripe-eu']],
        ['stripe-api-key', ['stripe-api-key']],
      ],
    );
  });

  it('puts every integration on exactly one tile, tiles in the order of their first integration', () => {
    const providers = [
      'stripe',
      'stripe-api-key',
      'whop',
      'whop-oauth',
      'acme-keys',
      'acme-basic',
      'shopify',
    ];
    fc.assert(
      fc.property(fc.shuffledSubarray(providers), (chosen) => {
        const tiles = tilesOf(offer(...chosen));
        const placed = tiles.flatMap((tile) => tile.integrations);
        assert.deepEqual([...placed].sort(), [...chosen].sort());
        assert.equal(new Set(tiles.map((tile) => tile.key)).size, tiles.length);
        const firstIndex = tiles.map((tile) =>
          Math.min(...tile.integrations.map((key) => chosen.indexOf(key))),
        );
        assert.deepEqual(
          firstIndex,
          [...firstIndex].sort((a, b) => a - b),
        );
        for (const tile of tiles) {
          // A shared tile holds one family, its provider first when offered.
          const families = new Set(tile.integrations.map((key) => catalog.get(key)!.variantOf ?? key));
          assert.equal(families.size, 1);
          if (tile.integrations.includes(tile.provider)) assert.equal(tile.integrations[0], tile.provider);
        }
      }),
    );
  });
});
