import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../../src/errors/index.ts';
import { displayCurrency, gumroadList, productSchema, saleSchema, toProduct, toSale } from './models.ts';

// Shaped like the sale of Gumroad's API docs (GET /v2/sales/:id) and Purchase#as_json(version: 2).
const DOCUMENTED_SALE = {
  id: 'B28UKN-dvxYabdavG97Y-Q==',
  email: 'buyer@example.com',
  seller_id: 'kL0psVL2admJSYRNs-OCMg==',
  timestamp: '2 days ago',
  daystamp: '15 Jan 2024 10:30 AM',
  created_at: '2024-01-15T10:30:45Z',
  product_name: 'My Awesome Product',
  product_has_variants: true,
  price: 2999,
  gumroad_fee: 314,
  formatted_display_price: '€27.50',
  formatted_total_price: '€27.50',
  currency_symbol: '€',
  amount_refundable_in_currency: '27.50',
  product_id: 'A-m3CDDC5dlrSdKZp0RFhA==',
  product_permalink: 'myproduct',
  refunded: false,
  partially_refunded: true,
  chargedback: false,
  purchase_email: 'buyer@example.com',
  full_name: 'John Doe',
  country: 'Germany',
  country_iso2: 'DE',
  paid: true,
  has_variants: true,
  variants: { Size: 'Large', Color: 'Blue' },
  custom_fields: { Company: 'Acme Corp' },
  order_id: 524459935,
  is_product_physical: false,
  purchaser_id: '5530311507811',
  is_recurring_billing: true,
  can_contact: true,
  is_following: false,
  disputed: false,
  dispute_won: false,
  card: { visual: '**** **** **** 4242', type: 'visa', bin: null, expiry_month: null, expiry_year: null },
  subscription_id: 'GDSEOmP9xb9PuA96Qn51Mw==',
  cancelled: false,
  dead: false,
  ended: false,
  free_trial_ended: null,
  recurring_charge: true,
  subscription_duration: 'monthly',
  offer_code: { code: 'SPRING', name: 'SPRING', displayed_amount_off: '10%' },
  affiliate: { email: 'partner@example.com', amount: '$3' },
  license_key: '83DB262A-C19D40B2-95C47A9B-1F2D4E8E',
  quantity: 1,
};

// Shaped like the product of Gumroad's API docs (GET /v2/products).
const DOCUMENTED_PRODUCT = {
  custom_permalink: null,
  custom_receipt: null,
  custom_summary: 'You will get one PNG file of the tree.',
  custom_fields: [],
  customizable_price: null,
  description: 'I made this for fun.',
  deleted: false,
  max_purchase_count: null,
  name: 'Pencil Icon PSD',
  preview_url: null,
  require_shipping: false,
  subscription_duration: null,
  published: true,
  url: 'http://sahillavingia.com/pencil.psd',
  id: 'A-m3CDDC5dlrSdKZp0RFhA==',
  price: 100,
  purchasing_power_parity_prices: { US: 100, IN: 50, EC: 25 },
  currency: 'usd',
  short_url: 'https://sahil.gumroad.com/l/pencil',
  thumbnail_url:
    'https://public-files.gumroad.com/variants/72iaezqqthnj1350mdc618namqki/f2f9c6fc18a80b8bafa38f3562360c0e42507f1c0052dcb708593f7efa3bdab8',
  tags: ['pencil', 'icon'],
  formatted_price: '$1',
  file_info: {},
  sales_count: 0,
  sales_usd_cents: 0,
  is_tiered_membership: false,
  recurrences: null,
  variants: [],
};

describe('gumroad models', () => {
  it('maps a documented sale to the sales model', () => {
    const sale = toSale(DOCUMENTED_SALE);
    assert.deepEqual(sale, {
      id: 'B28UKN-dvxYabdavG97Y-Q==',
      orderId: '524459935',
      productId: 'A-m3CDDC5dlrSdKZp0RFhA==',
      productName: 'My Awesome Product',
      productPermalink: 'myproduct',
      amount: 2999,
      currency: 'usd',
      fee: 314,
      displayPrice: '€27.50',
      displayCurrency: 'eur',
      buyer: { email: 'buyer@example.com', id: '5530311507811', name: 'John Doe' },
      quantity: 1,
      refunded: false,
      partiallyRefunded: true,
      chargedback: false,
      disputed: false,
      disputeWon: false,
      subscriptionId: 'GDSEOmP9xb9PuA96Qn51Mw==',
      recurring: true,
      recurringCharge: true,
      subscriptionDuration: 'monthly',
      subscriptionCancelled: false,
      subscriptionEnded: false,
      licenseKey: '83DB262A-C19D40B2-95C47A9B-1F2D4E8E',
      variants: { Size: 'Large', Color: 'Blue' },
      customFields: { Company: 'Acme Corp' },
      offerCode: 'SPRING',
      affiliateEmail: 'partner@example.com',
      country: 'Germany',
      countryCode: 'DE',
      referrer: null,
      shipped: null,
      createdAt: '2024-01-15T10:30:45.000Z',
    });
    assert.equal(saleSchema.safeParse(sale).success, true);
  });

  it('fills what Gumroad leaves out of a one-time sale with null and false', () => {
    const minimal = {
      id: 'x1',
      created_at: '2025-03-01T08:00:00.000Z',
      order_id: 17,
      product_id: 'p1',
      product_name: 'Ebook',
      price: 500,
    };
    const sale = toSale(minimal);
    assert.equal(sale.quantity, 1);
    assert.equal(sale.refunded, false);
    assert.equal(sale.recurring, false);
    assert.equal(sale.subscriptionId, null);
    assert.equal(sale.displayCurrency, null);
    assert.deepEqual(sale.buyer, { email: null, id: null, name: null });
    assert.deepEqual(sale.customFields, {});
  });

  it('names the display currency from the ISO field, else from a symbol only one currency uses', () => {
    assert.equal(displayCurrency('JPY', '¥'), 'jpy');
    assert.equal(displayCurrency(undefined, 'CAD$'), 'cad');
    assert.equal(displayCurrency(undefined, '$'), 'usd');
    assert.equal(displayCurrency(null, 'kr'), null); // SEK, NOK and DKK share it
    assert.equal(displayCurrency(null, null), null);
    assert.equal(
      toSale({ ...DOCUMENTED_SALE, currency: 'gbp', currency_symbol: '£' }).displayCurrency,
      'gbp',
    );
  });

  it('refuses malformed sales with provider_response_invalid naming the field', () => {
    for (const [bad, field] of [
      [{ ...DOCUMENTED_SALE, price: '29.99' }, 'price'],
      [{ ...DOCUMENTED_SALE, id: undefined }, 'id'],
      [{ ...DOCUMENTED_SALE, created_at: 'yesterday' }, 'created_at'],
    ] as const) {
      assert.throws(
        () => toSale(bad),
        (error: unknown) =>
          isPatchbayError(error) &&
          error.code === 'provider_response_invalid' &&
          error.message.includes(field),
      );
    }
  });

  it('maps a documented product to the products model', () => {
    const product = toProduct(DOCUMENTED_PRODUCT);
    assert.deepEqual(product, {
      id: 'A-m3CDDC5dlrSdKZp0RFhA==',
      name: 'Pencil Icon PSD',
      description: 'I made this for fun.',
      url: 'https://sahil.gumroad.com/l/pencil',
      permalink: null,
      price: 100,
      currency: 'usd',
      formattedPrice: '$1',
      published: true,
      subscriptionDuration: null,
      isMembership: false,
      requiresShipping: false,
      maxPurchaseCount: null,
      tags: ['pencil', 'icon'],
      thumbnailUrl: DOCUMENTED_PRODUCT.thumbnail_url,
      salesCount: 0,
      salesUsdCents: 0,
    });
    assert.equal(productSchema.safeParse(product).success, true);
    const withoutSales = toProduct({
      ...DOCUMENTED_PRODUCT,
      sales_count: undefined,
      sales_usd_cents: undefined,
    });
    assert.equal(withoutSales.salesCount, null);
    assert.equal(toProduct({ ...DOCUMENTED_PRODUCT, currency: 'EUR' }).currency, 'eur');
  });

  it("reads Gumroad's list answers and its 200-with-success-false errors", () => {
    assert.deepEqual(gumroadList({ success: true, sales: [1, 2] }, 'sales'), [1, 2]);
    assert.throws(
      () => gumroadList({ success: false, message: 'The product was not found.' }, 'products'),
      (error: unknown) =>
        isPatchbayError(error) && error.code === 'provider_error' && /not found/.test(error.message),
    );
    assert.throws(
      () => gumroadList({ success: true }, 'sales'),
      (error: unknown) => isPatchbayError(error) && error.code === 'provider_response_invalid',
    );
  });
});
