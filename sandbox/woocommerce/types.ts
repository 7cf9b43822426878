/**
 * The WooCommerce REST API v3 resources the emulator serves, with the field names, types and
 * value sets of https://woocommerce.github.io/woocommerce-rest-api-docs/ (Products, Orders,
 * Customers, Webhooks). The official `@woocommerce/woocommerce-rest-api` SDK is untyped past its
 * request options (its answers are `any`), so these interfaces are the fixtures' types; the
 * contract test reads them back through the SDK. Money is a decimal string, as WooCommerce sends
 * it; dates are `YYYY-MM-DDTHH:MM:SS` without an offset, in the site's zone (`date_*`) and GMT
 * (`date_*_gmt`).
 */

export interface WcMeta {
  id: number;
  key: string;
  value: string;
}

export interface WcProduct {
  id: number;
  name: string;
  slug: string;
  permalink: string;
  date_created: string;
  date_created_gmt: string;
  date_modified: string;
  date_modified_gmt: string;
  type: 'simple' | 'grouped' | 'external' | 'variable';
  status: 'draft' | 'pending' | 'private' | 'publish';
  description: string;
  short_description: string;
  sku: string;
  price: string;
  regular_price: string;
  sale_price: string;
  manage_stock: boolean;
  stock_quantity: number | null;
  stock_status: 'instock' | 'outofstock' | 'onbackorder';
  variations: number[];
  meta_data: WcMeta[];
}

export interface WcAddress {
  first_name: string;
  last_name: string;
  company: string;
  address_1: string;
  address_2: string;
  city: string;
  state: string;
  postcode: string;
  country: string;
  email?: string;
  phone?: string;
}

export interface WcLineItem {
  id: number;
  name: string;
  product_id: number;
  variation_id: number;
  quantity: number;
  tax_class: string;
  subtotal: string;
  subtotal_tax: string;
  total: string;
  total_tax: string;
  sku: string;
  price: number;
  meta_data: WcMeta[];
}

export type WcOrderStatus =
  | 'pending'
  | 'processing'
  | 'on-hold'
  | 'completed'
  | 'cancelled'
  | 'refunded'
  | 'failed'
  | 'trash'
  | 'checkout-draft';

export interface WcOrder {
  id: number;
  parent_id: number;
  number: string;
  order_key: string;
  created_via: string;
  status: WcOrderStatus;
  currency: string;
  date_created: string;
  date_created_gmt: string;
  date_modified: string;
  date_modified_gmt: string;
  discount_total: string;
  shipping_total: string;
  total: string;
  total_tax: string;
  customer_id: number;
  billing: WcAddress;
  shipping: WcAddress;
  payment_method: string;
  payment_method_title: string;
  date_paid_gmt: string | null;
  date_completed_gmt: string | null;
  line_items: WcLineItem[];
  refunds: Array<{ id: number; reason: string; total: string }>;
  meta_data: WcMeta[];
}

export interface WcCustomer {
  id: number;
  date_created: string;
  date_created_gmt: string;
  date_modified: string;
  date_modified_gmt: string;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  username: string;
  billing: WcAddress;
  shipping: WcAddress;
  is_paying_customer: boolean;
  avatar_url: string;
  meta_data: WcMeta[];
}

/** The topics a webhook takes: `<resource>.<event>` (and `action.<hook>`, not emulated). */
export const WC_WEBHOOK_TOPICS = [
  'coupon.created',
  'coupon.updated',
  'coupon.deleted',
  'coupon.restored',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'order.created',
  'order.updated',
  'order.deleted',
  'order.restored',
  'product.created',
  'product.updated',
  'product.deleted',
  'product.restored',
] as const;
export type WcWebhookTopic = (typeof WC_WEBHOOK_TOPICS)[number];

export interface WcWebhook {
  id: number;
  name: string;
  status: 'active' | 'paused' | 'disabled';
  topic: WcWebhookTopic;
  resource: string;
  event: string;
  hooks: string[];
  delivery_url: string;
  date_created: string;
  date_created_gmt: string;
  date_modified: string;
  date_modified_gmt: string;
}

/** WooCommerce's (WordPress's) error body. */
export interface WcError {
  code: string;
  message: string;
  data: { status: number; params?: Record<string, string> };
}
