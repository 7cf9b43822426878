/**
 * WooCommerce REST API v3 objects as this provider reads them
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/), and their mapping onto the shared
 * commerce models. WooCommerce sends money as decimal strings in the store's currency (orders
 * name it; products do not, so the store's currency is passed in) and dates without an offset
 * (`date_*_gmt` are UTC). A simple product is its own one variant; guest orders have
 * `customer_id` 0 (no customer). Meta keys starting with `_` are WordPress's private ones and
 * stay out of `metadata` (they are in `raw`).
 */
import type { CustomerRecord, OrderRecord, ProductRecord } from '../../src/scripts/index.ts';

export interface WooMeta {
  id?: number;
  key: string;
  value: unknown;
}

export interface WooProduct {
  id: number;
  name: string;
  permalink: string;
  date_created_gmt: string | null;
  date_modified_gmt: string | null;
  type: string;
  status: string;
  description: string;
  short_description: string;
  sku: string;
  price: string;
  manage_stock: boolean | 'parent';
  stock_quantity: number | null;
  stock_status: string;
  meta_data: WooMeta[];
}

export interface WooLineItem {
  id: number;
  name: string;
  product_id: number;
  variation_id: number;
  quantity: number;
  subtotal: string;
  total: string;
  sku: string | null;
  price: number;
}

export interface WooOrder {
  id: number;
  number: string;
  status: string;
  currency: string;
  date_created_gmt: string | null;
  date_modified_gmt: string | null;
  date_paid_gmt: string | null;
  date_completed_gmt: string | null;
  shipping_total: string;
  total: string;
  total_tax: string;
  customer_id: number;
  billing: { email?: string; first_name?: string; last_name?: string };
  line_items: WooLineItem[];
  refunds: Array<{ id: number; total: string }>;
  meta_data: WooMeta[];
}

export interface WooCustomer {
  id: number;
  date_created_gmt: string | null;
  email: string;
  first_name: string;
  last_name: string;
  billing: { phone?: string };
  meta_data: WooMeta[];
}

/** The digits after the decimal point of `currency` (2 for USD, 0 for JPY, 3 for KWD). */
export function currencyDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/**
 * A decimal string (`"12.50"`, `"-3.2"`) in minor units of `currency`, rounded half away from
 * zero, without going through a binary float. Null for an empty string (a product without a price).
 */
export function toMinor(amount: string | number, currency: string): number | null {
  const text = String(amount).trim();
  if (text === '') return null;
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return null;
  const [, sign, whole = '', fraction = ''] = match;
  const digits = currencyDigits(currency);
  const kept = `${whole || '0'}${fraction.slice(0, digits).padEnd(digits, '0')}`;
  let value = Number(kept);
  if ((fraction[digits] ?? '0') >= '5') value += 1;
  return sign === '-' && value !== 0 ? -value : value;
}

/** `2026-01-02T03:04:05` (GMT) as an ISO instant; null when absent. */
export function gmtInstant(value: string | null | undefined): string | null {
  if (!value) return null;
  const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

/** The public (not `_`-prefixed) meta values that are text. */
export function metadataOf(meta: readonly WooMeta[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of meta ?? []) {
    if (!entry.key.startsWith('_') && typeof entry.value === 'string') result[entry.key] = entry.value;
  }
  return result;
}

export function toCustomer(customer: WooCustomer): CustomerRecord {
  const name = `${customer.first_name ?? ''} ${customer.last_name ?? ''}`.trim();
  return {
    id: String(customer.id),
    email: customer.email || null,
    name: name === '' ? null : name,
    phone: customer.billing?.phone || null,
    currency: null,
    createdAt: gmtInstant(customer.date_created_gmt),
    metadata: metadataOf(customer.meta_data),
    raw: customer as unknown as Record<string, unknown>,
  };
}

/** A product with its price in the store's currency (null when unknown: then no price is listed). */
export function toProduct(product: WooProduct, currency: string | null): ProductRecord {
  const code = currency?.toLowerCase() ?? null;
  const price = code === null ? null : toMinor(product.price ?? '', code);
  const managed = product.manage_stock === true;
  return {
    id: String(product.id),
    name: product.name,
    description: product.short_description || product.description || null,
    active: product.status === 'publish',
    url: product.permalink || null,
    prices:
      code === null || price === null
        ? []
        : [{ id: String(product.id), currency: code, unitAmount: price, active: true, recurring: null }],
    // A simple product is what is stocked and sold; a variable product's variations are
    // resources of their own (GET /products/{id}/variations), not read here.
    variants:
      product.type === 'variable'
        ? []
        : [
            {
              id: String(product.id),
              title: product.name,
              sku: product.sku || null,
              price,
              currency: code,
              inventoryQuantity: managed ? product.stock_quantity : null,
            },
          ],
    createdAt: gmtInstant(product.date_created_gmt),
    updatedAt: gmtInstant(product.date_modified_gmt),
    metadata: metadataOf(product.meta_data),
    raw: product as unknown as Record<string, unknown>,
  };
}

const ORDER_STATUS: Record<string, OrderRecord['status']> = {
  pending: 'open',
  processing: 'open',
  'on-hold': 'open',
  completed: 'completed',
  cancelled: 'cancelled',
  refunded: 'refunded',
  failed: 'failed',
  trash: 'cancelled',
  'checkout-draft': 'draft',
};

export function toOrder(order: WooOrder): OrderRecord {
  const currency = order.currency.toLowerCase();
  const minor = (value: string | number) => toMinor(value, currency);
  const refunded = order.refunds.reduce((sum, refund) => sum + Math.abs(minor(refund.total) ?? 0), 0);
  const subtotal = order.line_items.reduce((sum, line) => sum + (minor(line.subtotal) ?? 0), 0);
  return {
    id: String(order.id),
    number: order.number || null,
    // Statuses a plugin adds (`wc-shipped`…) are open until they say otherwise.
    status: ORDER_STATUS[order.status] ?? 'open',
    providerStatus: order.status,
    financialStatus:
      order.status === 'refunded'
        ? 'refunded'
        : refunded > 0
          ? 'partially_refunded'
          : order.date_paid_gmt
            ? 'paid'
            : 'unpaid',
    fulfillmentStatus: order.status === 'completed' ? 'fulfilled' : null,
    customerId: order.customer_id > 0 ? String(order.customer_id) : null,
    customerEmail: order.billing?.email || null,
    currency,
    subtotal,
    tax: minor(order.total_tax),
    shipping: minor(order.shipping_total),
    total: minor(order.total) ?? 0,
    amountRefunded: refunded,
    lines: order.line_items.map((line) => ({
      id: String(line.id),
      productId: line.product_id > 0 ? String(line.product_id) : null,
      variantId:
        line.variation_id > 0
          ? String(line.variation_id)
          : line.product_id > 0
            ? String(line.product_id)
            : null,
      sku: line.sku || null,
      title: line.name || null,
      quantity: line.quantity,
      unitAmount: minor(line.price),
      amount: minor(line.total),
    })),
    createdAt: gmtInstant(order.date_created_gmt),
    updatedAt: gmtInstant(order.date_modified_gmt),
    cancelledAt: order.status === 'cancelled' ? gmtInstant(order.date_modified_gmt) : null,
    metadata: metadataOf(order.meta_data),
    raw: order as unknown as Record<string, unknown>,
  };
}

/** The `store_order.*` event of an order record. */
export function eventOf(record: OrderRecord) {
  return {
    orderId: record.id,
    number: record.number ?? null,
    status: record.status,
    providerStatus: record.providerStatus ?? null,
    total: record.total,
    currency: record.currency,
    customerId: record.customerId ?? null,
    customerEmail: record.customerEmail ?? null,
    metadata: record.metadata,
  };
}
