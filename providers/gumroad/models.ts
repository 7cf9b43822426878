/**
 * Gumroad's products and sales as Patchbay models, and the pure mappings from Gumroad API v2
 * JSON to them.
 *
 * Facts the mappings rest on (Gumroad's API docs and its open-source Purchase#as_json, v2):
 * - a sale's `price` and `gumroad_fee` are integers in USD cents whatever the product's currency
 *   (Gumroad stores every purchase in USD and converts for display); so a sale's `amount` is
 *   `price` and its `currency` is always `usd`. What the buyer saw is `formatted_display_price`
 *   in the product's currency, named by the ISO `currency` field on accounts that send it, else
 *   only by `currency_symbol` (identifying when Gumroad gives that symbol to one currency only).
 * - a product's `price` is in minor units of its own `currency` (lower-case ISO 4217).
 * - `refunded` is set only for a full refund, `partially_refunded` otherwise; `disputed` is a
 *   chargeback whatever its outcome, `chargedback` one not reversed, `dispute_won` a reversed one.
 * - subscription fields (`subscription_id`, `recurring_charge`, `cancelled`, `ended`) exist only
 *   on sales of memberships; nil fields are left out of the JSON, so most fields are optional.
 */
import { z } from 'zod';
import { PatchbayError } from '../../src/scripts/index.ts';

const currencyCode = z.string().regex(/^[a-z]{3}$/, 'a lower-case ISO 4217 code');

/** The normalized `products` model. */
export const productSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** HTML, as the creator wrote it. */
  description: z.string().nullable(),
  /** The product's page (`short_url`). */
  url: z.string().nullable(),
  permalink: z.string().nullable(),
  /** Minor units of `currency`. */
  price: z.number().int(),
  currency: currencyCode,
  formattedPrice: z.string().nullable(),
  published: z.boolean(),
  /** `monthly`, `yearly`… for memberships; null for one-time products. */
  subscriptionDuration: z.string().nullable(),
  isMembership: z.boolean(),
  requiresShipping: z.boolean(),
  maxPurchaseCount: z.number().int().nullable(),
  tags: z.array(z.string()),
  thumbnailUrl: z.string().nullable(),
  /** Present only when the token may read sales (scope view_sales). */
  salesCount: z.number().int().nullable(),
  salesUsdCents: z.number().int().nullable(),
});

/** The normalized `sales` model. */
export const saleSchema = z.object({
  id: z.string().min(1),
  /** Gumroad's numeric order id, as text. */
  orderId: z.string(),
  productId: z.string(),
  productName: z.string(),
  productPermalink: z.string().nullable(),
  /** What was charged, in minor units of `currency` (Gumroad: USD cents). */
  amount: z.number().int(),
  currency: currencyCode,
  /** Gumroad's fee in minor units of `currency`. */
  fee: z.number().int().nullable(),
  /** The price as the buyer saw it (`$12`, `€9.99`), in `displayCurrency`. */
  displayPrice: z.string().nullable(),
  /** The product's currency, when Gumroad's answer identifies it; null otherwise. */
  displayCurrency: currencyCode.nullable(),
  buyer: z.object({
    email: z.string().nullable(),
    /** The buyer's Gumroad account, when they have one. */
    id: z.string().nullable(),
    name: z.string().nullable(),
  }),
  quantity: z.number().int().min(1),
  refunded: z.boolean(),
  partiallyRefunded: z.boolean(),
  chargedback: z.boolean(),
  disputed: z.boolean(),
  disputeWon: z.boolean(),
  subscriptionId: z.string().nullable(),
  /** The product is a membership (billed on a schedule). */
  recurring: z.boolean(),
  /** A renewal charge of a membership, not its first purchase. */
  recurringCharge: z.boolean(),
  subscriptionDuration: z.string().nullable(),
  subscriptionCancelled: z.boolean().nullable(),
  subscriptionEnded: z.boolean().nullable(),
  licenseKey: z.string().nullable(),
  variants: z.record(z.string(), z.string()).nullable(),
  customFields: z.record(z.string(), z.unknown()),
  offerCode: z.string().nullable(),
  affiliateEmail: z.string().nullable(),
  country: z.string().nullable(),
  countryCode: z.string().nullable(),
  referrer: z.string().nullable(),
  shipped: z.boolean().nullable(),
  /** ISO 8601, UTC. */
  createdAt: z.iso.datetime(),
});

/** A record of the `products` model. */
export type GumroadProduct = z.output<typeof productSchema>;
/** A record of the `sales` model. */
export type GumroadSale = z.output<typeof saleSchema>;

const text = z.string().nullish();
const flag = z.boolean().nullish();
const cents = z.number().int().nullish();

/** A product of GET /v2/products (the fields the model reads; others are ignored). */
export const gumroadProductJson = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  description: text,
  short_url: text,
  custom_permalink: text,
  price: z.number().int(),
  currency: z.string(),
  formatted_price: text,
  published: flag,
  subscription_duration: text,
  is_tiered_membership: flag,
  require_shipping: flag,
  max_purchase_count: cents,
  tags: z.array(z.string()).nullish(),
  thumbnail_url: text,
  sales_count: cents,
  sales_usd_cents: cents,
});

/** A sale of GET /v2/sales (the fields the model reads; others are ignored). */
export const gumroadSaleJson = z.looseObject({
  id: z.string().min(1),
  created_at: z.string(),
  order_id: z.union([z.number().int(), z.string()]),
  product_id: z.string(),
  product_name: z.string(),
  product_permalink: text,
  price: z.number().int(),
  gumroad_fee: cents,
  currency: text,
  currency_symbol: text,
  formatted_display_price: text,
  email: text,
  purchase_email: text,
  purchaser_id: text,
  full_name: text,
  quantity: z.number().int().min(1).nullish(),
  refunded: flag,
  partially_refunded: flag,
  chargedback: flag,
  disputed: flag,
  dispute_won: flag,
  subscription_id: text,
  is_recurring_billing: flag,
  recurring_charge: flag,
  subscription_duration: text,
  cancelled: flag,
  ended: flag,
  license_key: text,
  variants: z.record(z.string(), z.unknown()).nullish(),
  custom_fields: z.record(z.string(), z.unknown()).nullish(),
  offer_code: z.looseObject({ code: text, name: text }).nullish(),
  affiliate: z.looseObject({ email: text }).nullish(),
  country: text,
  country_iso2: text,
  referrer: text,
  shipped: flag,
});

/**
 * Gumroad's currency symbols (config/currencies.json) that belong to exactly one currency.
 * `kr` is left out: Swedish, Norwegian and Danish krone share it.
 */
const SYMBOL_CURRENCY: Readonly<Record<string, string>> = {
  $: 'usd',
  '£': 'gbp',
  '€': 'eur',
  '¥': 'jpy',
  '₹': 'inr',
  A$: 'aud',
  CAD$: 'cad',
  HK$: 'hkd',
  SGD$: 'sgd',
  NT$: 'twd',
  NZ$: 'nzd',
  R$: 'brl',
  ZAR: 'zar',
  CHF: 'chf',
  '₪': 'ils',
  '₱': 'php',
  '₩': 'krw',
  zł: 'pln',
  Kč: 'czk',
  MX$: 'mxn',
  SAR: 'sar',
  AED: 'aed',
  '₺': 'try',
  COL$: 'cop',
  lei: 'ron',
  '฿': 'thb',
  RM: 'myr',
  '₫': 'vnd',
  Rp: 'idr',
};

/** Maps one product of GET /v2/products; throws `provider_response_invalid` for a malformed one. */
export function toProduct(json: unknown): GumroadProduct {
  const p = parse(gumroadProductJson, json, 'product');
  return productSchema.parse({
    id: p.id,
    name: p.name,
    description: p.description ?? null,
    url: p.short_url ?? null,
    permalink: p.custom_permalink ?? null,
    price: p.price,
    currency: p.currency.toLowerCase(),
    formattedPrice: p.formatted_price ?? null,
    published: p.published ?? true,
    subscriptionDuration: p.subscription_duration ?? null,
    isMembership: p.is_tiered_membership ?? p.subscription_duration != null,
    requiresShipping: p.require_shipping ?? false,
    maxPurchaseCount: p.max_purchase_count ?? null,
    tags: p.tags ?? [],
    thumbnailUrl: p.thumbnail_url ?? null,
    salesCount: p.sales_count ?? null,
    salesUsdCents: p.sales_usd_cents ?? null,
  });
}

/** Maps one sale of GET /v2/sales; throws `provider_response_invalid` for a malformed one. */
export function toSale(json: unknown): GumroadSale {
  const s = parse(gumroadSaleJson, json, 'sale');
  const createdAt = new Date(s.created_at);
  if (Number.isNaN(createdAt.getTime())) {
    throw new PatchbayError(
      'provider_response_invalid',
      `Gumroad sale ${s.id} has an unreadable created_at`,
      {
        details: { saleId: s.id },
      },
    );
  }
  return saleSchema.parse({
    id: s.id,
    orderId: String(s.order_id),
    productId: s.product_id,
    productName: s.product_name,
    productPermalink: s.product_permalink ?? null,
    amount: s.price,
    currency: 'usd',
    fee: s.gumroad_fee ?? null,
    displayPrice: s.formatted_display_price ?? null,
    displayCurrency: displayCurrency(s.currency, s.currency_symbol),
    buyer: {
      email: s.email ?? s.purchase_email ?? null,
      id: s.purchaser_id ?? null,
      name: s.full_name ?? null,
    },
    quantity: s.quantity ?? 1,
    refunded: s.refunded ?? false,
    partiallyRefunded: s.partially_refunded ?? false,
    chargedback: s.chargedback ?? false,
    disputed: s.disputed ?? false,
    disputeWon: s.dispute_won ?? false,
    subscriptionId: s.subscription_id ?? null,
    recurring: s.is_recurring_billing ?? s.subscription_id != null,
    recurringCharge: s.recurring_charge ?? false,
    subscriptionDuration: s.subscription_duration ?? null,
    subscriptionCancelled: s.cancelled ?? null,
    subscriptionEnded: s.ended ?? null,
    licenseKey: s.license_key ?? null,
    variants: s.variants ? stringValues(s.variants) : null,
    customFields: s.custom_fields ?? {},
    offerCode: s.offer_code?.code ?? s.offer_code?.name ?? null,
    affiliateEmail: s.affiliate?.email ?? null,
    country: s.country ?? null,
    countryCode: s.country_iso2 ?? null,
    referrer: s.referrer ?? null,
    shipped: s.shipped ?? null,
    createdAt: createdAt.toISOString(),
  });
}

/**
 * The array at `field` of a Gumroad answer. Gumroad reports some failures as 200 with
 * `{ success: false, message }`, so those are provider errors, not empty lists.
 */
export function gumroadList(body: unknown, field: string): unknown[] {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  if (record?.success === false) {
    const message = typeof record.message === 'string' ? record.message.slice(0, 200) : 'no message';
    throw new PatchbayError('provider_error', `Gumroad refused the request: ${message}`, {
      details: { message },
    });
  }
  const list = record?.[field];
  if (!Array.isArray(list)) {
    throw new PatchbayError('provider_response_invalid', `Gumroad's answer has no "${field}" array`, {
      details: { field },
    });
  }
  return list;
}

/** The product's currency: the ISO `currency` field when sent, else a symbol that names one. */
export function displayCurrency(
  code: string | null | undefined,
  symbol: string | null | undefined,
): string | null {
  if (code && /^[a-z]{3}$/i.test(code)) return code.toLowerCase();
  return (symbol && SYMBOL_CURRENCY[symbol.trim()]) || null;
}

function stringValues(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, String(value)]));
}

function parse<S extends z.ZodType>(schema: S, json: unknown, what: string): z.output<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') || '(root)';
  const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
  throw new PatchbayError(
    'provider_response_invalid',
    `Gumroad returned a ${what} that cannot be read: ${where}: ${issue?.message ?? 'invalid'}`,
    { details: { [`${what}Id`]: typeof id === 'string' ? id : null, path: where } },
  );
}
