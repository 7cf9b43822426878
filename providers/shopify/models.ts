/**
 * Shopify's GraphQL objects as the shared commerce records. Ids are Shopify's global ids
 * (`gid://shopify/Product/1001`), the ones its webhooks (`admin_graphql_api_id`) and mutations use.
 * Money is a decimal string in the shop's currency; records keep minor units of that currency.
 */
import type { CustomerRecord, OrderRecord, ProductRecord } from '../../src/scripts/index.ts';

export interface ShopifyMoney {
  amount: string;
  currencyCode: string;
}

export interface ShopifyVariantNode {
  id: string;
  title: string | null;
  sku: string | null;
  price: string | null;
  inventoryQuantity: number | null;
  inventoryItem?: { id: string; tracked: boolean } | null;
}

export interface ShopifyProductNode {
  id: string;
  title: string;
  descriptionHtml: string | null;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  onlineStoreUrl: string | null;
  createdAt: string;
  updatedAt: string;
  variants: { nodes: ShopifyVariantNode[] };
}

export interface ShopifyCustomerNode {
  id: string;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ShopifyOrderNode {
  id: string;
  name: string | null;
  email: string | null;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  displayFinancialStatus: string | null;
  displayFulfillmentStatus: string | null;
  currencyCode: string;
  totalPriceSet: { shopMoney: ShopifyMoney };
  customer: { id: string } | null;
  lineItems: {
    nodes: Array<{
      id: string;
      title: string | null;
      quantity: number;
      sku: string | null;
      variant: { id: string; product?: { id: string } | null } | null;
      originalUnitPriceSet: { shopMoney: ShopifyMoney } | null;
      /** The line's total after its discounts. */
      discountedTotalSet?: { shopMoney: ShopifyMoney } | null;
    }>;
  };
}

const fractionDigits = new Map<string, number>();

/** A decimal amount (`"19.90"`) in minor units of `currency` (1990 for USD, 19 for JPY's `"19"`). */
export function minorUnits(amount: string, currency: string): number {
  let digits = fractionDigits.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    fractionDigits.set(currency, digits);
  }
  const [whole = '0', fraction = ''] = amount.trim().replace(/^-/, '').split('.');
  const value = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0').slice(0, digits) || '0');
  return amount.trim().startsWith('-') ? -value : value;
}

export function toProduct(product: ShopifyProductNode, currency: string): ProductRecord {
  return {
    id: product.id,
    name: product.title,
    description: product.descriptionHtml || null,
    active: product.status === 'ACTIVE',
    url: product.onlineStoreUrl,
    prices: [],
    variants: product.variants.nodes.map((variant) => ({
      id: variant.id,
      title: variant.title,
      sku: variant.sku || null,
      price: variant.price === null ? null : minorUnits(variant.price, currency),
      currency: currency.toLowerCase(),
      // An untracked item has no meaningful count.
      inventoryQuantity: variant.inventoryItem?.tracked === false ? null : variant.inventoryQuantity,
    })),
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    metadata: {},
    raw: product as unknown as Record<string, unknown>,
  };
}

export function toCustomer(customer: ShopifyCustomerNode): CustomerRecord {
  const name =
    [customer.firstName, customer.lastName].filter(Boolean).join(' ') || customer.displayName || null;
  return {
    id: customer.id,
    email: customer.email,
    name,
    phone: customer.phone,
    currency: null,
    createdAt: customer.createdAt,
    metadata: {},
    raw: customer as unknown as Record<string, unknown>,
  };
}

const FINAL_FINANCIAL: Record<string, OrderRecord['status']> = {
  REFUNDED: 'refunded',
  VOIDED: 'cancelled',
};

export function toOrder(order: ShopifyOrderNode): OrderRecord {
  const currency = order.currencyCode;
  const financial = order.displayFinancialStatus;
  const fulfillment = order.displayFulfillmentStatus;
  const status: OrderRecord['status'] =
    order.cancelledAt !== null
      ? 'cancelled'
      : ((financial ? FINAL_FINANCIAL[financial] : undefined) ??
        (financial === 'PAID' && fulfillment === 'FULFILLED' ? 'completed' : 'open'));
  return {
    id: order.id,
    number: order.name,
    status,
    providerStatus: null,
    financialStatus: financial,
    fulfillmentStatus: fulfillment,
    customerId: order.customer?.id ?? null,
    customerEmail: order.email,
    currency: currency.toLowerCase(),
    subtotal: null,
    tax: null,
    shipping: null,
    total: minorUnits(order.totalPriceSet.shopMoney.amount, currency),
    amountRefunded: null,
    lines: order.lineItems.nodes.map((line) => {
      const unit = line.originalUnitPriceSet
        ? minorUnits(line.originalUnitPriceSet.shopMoney.amount, currency)
        : null;
      return {
        id: line.id,
        productId: line.variant?.product?.id ?? null,
        variantId: line.variant?.id ?? null,
        sku: line.sku,
        title: line.title,
        quantity: line.quantity,
        unitAmount: unit,
        amount: line.discountedTotalSet
          ? minorUnits(line.discountedTotalSet.shopMoney.amount, currency)
          : null,
      };
    }),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    cancelledAt: order.cancelledAt,
    metadata: {},
    raw: order as unknown as Record<string, unknown>,
  };
}

/** The REST-shaped order Shopify sends to `orders/*` webhooks (numeric ids beside `admin_graphql_api_id`). */
export interface ShopifyOrderPayload {
  admin_graphql_api_id: string;
  name?: string | null;
  email?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  cancelled_at?: string | null;
  currency: string;
  financial_status?: string | null;
  fulfillment_status?: string | null;
  total_price: string;
  customer?: { admin_graphql_api_id?: string } | null;
  line_items?: Array<{
    admin_graphql_api_id?: string;
    id: number;
    title?: string | null;
    quantity: number;
    sku?: string | null;
    variant_id?: number | null;
    product_id?: number | null;
    price?: string | null;
  }>;
}

const gid = (type: string, id: number | null | undefined) =>
  id == null ? null : `gid://shopify/${type}/${id}`;

/**
 * A webhook's order as the record the `orders` sync writes: the same global ids, and the REST
 * words of its statuses turned into the GraphQL enums the sync keeps (`paid` → `PAID`).
 */
export function toOrderFromWebhook(order: ShopifyOrderPayload): OrderRecord {
  return toOrder({
    id: order.admin_graphql_api_id,
    name: order.name ?? null,
    email: order.email ?? null,
    createdAt: order.created_at ?? '',
    updatedAt: order.updated_at ?? '',
    cancelledAt: order.cancelled_at ?? null,
    displayFinancialStatus: order.financial_status ? order.financial_status.toUpperCase() : null,
    displayFulfillmentStatus: order.fulfillment_status
      ? order.fulfillment_status.toUpperCase()
      : 'UNFULFILLED',
    currencyCode: order.currency,
    totalPriceSet: { shopMoney: { amount: order.total_price, currencyCode: order.currency } },
    customer: order.customer?.admin_graphql_api_id ? { id: order.customer.admin_graphql_api_id } : null,
    lineItems: {
      nodes: (order.line_items ?? []).map((line) => ({
        id: line.admin_graphql_api_id ?? `gid://shopify/LineItem/${line.id}`,
        title: line.title ?? null,
        quantity: line.quantity,
        sku: line.sku ?? null,
        variant:
          line.variant_id == null
            ? null
            : {
                id: gid('ProductVariant', line.variant_id) as string,
                product: line.product_id == null ? null : { id: gid('Product', line.product_id) as string },
              },
        originalUnitPriceSet: line.price
          ? { shopMoney: { amount: line.price, currencyCode: order.currency } }
          : null,
      })),
    },
  });
}
