/**
 * Gumroad API v2 JSON shapes of the emulator's user, products and sales, with Gumroad's field
 * names (Purchase#as_json(version: 2), Link#as_json, User#as_json). Fields Gumroad leaves out
 * when they are nil are left out here too; relative fields (`timestamp`) use the sandbox clock.
 */
import { externalId, obfuscate } from './ids.ts';
import { licenseKey } from './licenses.ts';
import { type ProductSeed, SALT, type SaleFacts } from './store.ts';

/** The seller every token of the emulator belongs to. */
export const SELLER = {
  id: externalId(0, SALT.seller),
  name: 'Sandbox Creator',
  email: 'creator@example.com',
  url: 'https://sandboxcreator.gumroad.com',
};

const SYMBOLS = { usd: '$', eur: '€' } as const;

/** GET /v2/user: `user`. */
export function userJson(): Record<string, unknown> {
  return {
    bio: 'Digital goods for the Patchbay sandbox',
    name: SELLER.name,
    twitter_handle: null,
    user_id: SELLER.id,
    email: SELLER.email,
    url: SELLER.url,
  };
}

/** GET /v2/products: one element of `products`. Sales totals appear only with view_sales. */
export function productJson(
  product: ProductSeed,
  totals: { count: number; usdCents: number } | undefined,
): Record<string, unknown> {
  return {
    custom_permalink: null,
    custom_receipt: null,
    custom_summary: '',
    custom_fields: [],
    customizable_price: null,
    description: `<p>${product.name}, made for the sandbox.</p>`,
    deleted: false,
    max_purchase_count: null,
    name: product.name,
    preview_url: null,
    require_shipping: product.physical,
    subscription_duration: product.recurrence,
    published: true,
    url: null,
    id: product.id,
    price: product.price,
    purchasing_power_parity_prices: null,
    currency: product.currency,
    short_url: `${SELLER.url}/l/${product.permalink}`,
    thumbnail_url: null,
    tags: [],
    formatted_price: formatMoney(product.currency, product.price),
    file_info: {},
    is_tiered_membership: product.recurrence !== null,
    recurrences: product.recurrence ? [product.recurrence] : null,
    variants: [],
    ...(totals ? { sales_count: totals.count, sales_usd_cents: totals.usdCents } : {}),
  };
}

/** GET /v2/sales: one element of `sales`. */
export function saleJson(sale: SaleFacts, now: number): Record<string, unknown> {
  const { product } = sale;
  const created = new Date(sale.createdAt);
  const buyerEmail = `buyer${sale.buyer}@example.com`;
  const json: Record<string, unknown> = {
    id: externalId(sale.index, SALT.sale),
    email: buyerEmail,
    seller_id: SELLER.id,
    timestamp: timeAgo(now - sale.createdAt),
    daystamp: daystamp(created),
    created_at: created.toISOString(),
    product_name: product.name,
    product_has_variants: false,
    price: sale.usdCents,
    gumroad_fee: Math.round(sale.usdCents * 0.1) + 50,
    is_bundle_purchase: false,
    is_bundle_product_purchase: false,
    formatted_display_price: formatMoney(product.currency, sale.displayCents),
    formatted_total_price: formatMoney(product.currency, sale.displayCents),
    currency_symbol: SYMBOLS[product.currency],
    amount_refundable_in_currency: formatAmount(
      product.currency === 'usd'
        ? sale.refundableUsdCents
        : Math.round((sale.refundableUsdCents * sale.displayCents) / Math.max(1, sale.usdCents)),
    ),
    product_id: product.id,
    product_permalink: product.permalink,
    refunded: sale.refunded,
    partially_refunded: sale.partiallyRefunded,
    chargedback: sale.chargedback,
    purchase_email: buyerEmail,
    full_name: `Buyer ${sale.buyer}`,
    country: 'United States',
    country_iso2: 'US',
    paid: sale.usdCents !== 0,
    has_variants: false,
    variants_and_quantity: sale.quantity > 1 ? `(${sale.quantity})` : '',
    has_custom_fields: false,
    custom_fields: {},
    order_id: obfuscate(sale.index + 1),
    is_product_physical: product.physical,
    is_recurring_billing: product.recurrence !== null,
    can_contact: true,
    is_following: false,
    disputed: sale.chargedback,
    dispute_won: false,
    is_additional_contribution: false,
    discover_fee_charged: false,
    is_upgrade_purchase: false,
    is_more_like_this_recommended: false,
    is_gift_sender_purchase: false,
    is_gift_receiver_purchase: false,
    referrer: 'direct',
    paypal_refund_expired: false,
    card: { visual: '**** **** **** 4242', type: 'visa', bin: null, expiry_month: null, expiry_year: null },
    product_rating: null,
  };
  if (product.recurrence) json.subscription_duration = product.recurrence;
  // Gumroad omits purchaser_id when the buyer has no Gumroad account.
  if (sale.buyer % 3 === 0) json.purchaser_id = externalId(sale.buyer, SALT.purchaser);
  if (product.recurrence) {
    Object.assign(json, {
      subscription_id: externalId(sale.buyer * 65_536 + product.index, SALT.subscription),
      cancelled: false,
      dead: false,
      ended: false,
      free_trial_ended: null,
      recurring_charge: sale.index % 3 !== 0,
    });
  }
  if (product.physical) json.shipped = false;
  json.license_key = licenseKey(sale.index);
  json.quantity = sale.quantity;
  return json;
}

/** Gumroad's money format: symbol, no cents when whole (`$12`, `€9.99`). */
export function formatMoney(currency: 'usd' | 'eur', cents: number): string {
  return `${SYMBOLS[currency]}${formatAmount(cents)}`;
}

function formatAmount(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, '0')}`;
}

function timeAgo(ms: number): string {
  const days = Math.floor(Math.max(0, ms) / 86_400_000);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'} ago`;
  const hours = Math.floor(Math.max(0, ms) / 3_600_000);
  return hours >= 1 ? `${hours} hour${hours === 1 ? '' : 's'} ago` : 'less than an hour ago';
}

const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);

/** `15 January 2024 10:30 AM UTC`: Gumroad's long date-time, in the seller's zone (UTC here). */
function daystamp(date: Date): string {
  const hours = date.getUTCHours();
  const minutes = String(date.getUTCMinutes()).padStart(2, '0');
  const clock = `${hours % 12 === 0 ? 12 : hours % 12}:${minutes} ${hours < 12 ? 'AM' : 'PM'}`;
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${clock} UTC`;
}

/**
 * The fields of a sale ping (https://gumroad.com/ping): the sale under ping names (`sale_id`,
 * `sale_timestamp`, `order_number`, `is_recurring_charge`…), built from its API JSON.
 */
export function pingJson(sale: Record<string, unknown>): Record<string, unknown> {
  const ping: Record<string, unknown> = {
    sale_id: sale.id,
    sale_timestamp: sale.created_at,
    order_number: sale.order_id,
    seller_id: sale.seller_id,
    product_id: sale.product_id,
    product_permalink: `${SELLER.url}/l/${String(sale.product_permalink)}`,
    short_product_id: sale.product_permalink,
    product_name: sale.product_name,
    email: sale.email,
    full_name: sale.full_name,
    price: sale.price,
    gumroad_fee: sale.gumroad_fee,
    currency: 'usd',
    quantity: sale.quantity,
    discover_fee_charged: sale.discover_fee_charged,
    can_contact: sale.can_contact,
    referrer: sale.referrer,
    card: sale.card,
    license_key: sale.license_key,
    refunded: sale.refunded,
    disputed: sale.disputed,
    dispute_won: sale.dispute_won,
    test: false,
  };
  if (sale.purchaser_id !== undefined) ping.purchaser_id = sale.purchaser_id;
  if (sale.subscription_id !== undefined) {
    ping.subscription_id = sale.subscription_id;
    ping.recurrence = sale.subscription_duration;
    ping.is_recurring_charge = sale.recurring_charge;
  }
  return ping;
}
