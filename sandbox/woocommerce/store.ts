/**
 * The emulated store's data: products, orders and customers with WooCommerce's sequential
 * integer ids (products and orders share WordPress's post ids), dates in the site zone (UTC
 * here) and GMT, and the changes the API and the test controls make, each moving
 * `date_modified`.
 */
import { randomBytes } from 'node:crypto';
import type { WcAddress, WcCustomer, WcLineItem, WcOrder, WcOrderStatus, WcProduct } from './types.ts';

/** `YYYY-MM-DDTHH:MM:SS`, WooCommerce's date format (no offset, no fraction). */
export function wcDate(at: Date): string {
  return at.toISOString().slice(0, 19);
}

export function emptyAddress(): WcAddress {
  return {
    first_name: '',
    last_name: '',
    company: '',
    address_1: '',
    address_2: '',
    city: '',
    state: '',
    postcode: '',
    country: '',
  };
}

export interface SeedOptions {
  products: number;
  orders: number;
  customers: number;
}

export class WcStore {
  readonly products = new Map<number, WcProduct>();
  readonly orders = new Map<number, WcOrder>();
  readonly customers = new Map<number, WcCustomer>();
  #nextPostId = 100;
  #nextCustomerId = 1;
  #nextLineId = 1;
  readonly #now: () => Date;
  readonly #siteUrl: string;

  constructor(siteUrl: string, now: () => Date) {
    this.#siteUrl = siteUrl;
    this.#now = now;
  }

  seed(options: SeedOptions): void {
    for (let i = 1; i <= options.customers; i += 1) {
      this.addCustomer({ email: `buyer${i}@example.com`, first_name: `Buyer`, last_name: `${i}` });
    }
    for (let i = 1; i <= options.products; i += 1) {
      this.addProduct({
        name: `Product ${i}`,
        sku: `SKU-${i}`,
        regular_price: `${10 + (i % 7)}.50`,
        manage_stock: true,
        stock_quantity: 20 + i,
      });
    }
    const productIds = [...this.products.keys()];
    const customerIds = [...this.customers.keys()];
    for (let i = 1; i <= options.orders; i += 1) {
      const productId = productIds[i % Math.max(1, productIds.length)];
      const customerId = customerIds[i % Math.max(1, customerIds.length)] ?? 0;
      this.addOrder({
        status: 'processing',
        customer_id: customerId,
        line_items: productId === undefined ? [] : [{ product_id: productId, quantity: 1 + (i % 3) }],
        set_paid: true,
      });
    }
  }

  addProduct(input: Partial<WcProduct> & { name: string }): WcProduct {
    const id = this.#nextPostId++;
    const at = this.#now();
    const slug = input.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const price = input.sale_price || input.regular_price || '';
    const product: WcProduct = {
      id,
      name: input.name,
      slug,
      permalink: `${this.#siteUrl}/product/${slug}/`,
      date_created: wcDate(at),
      date_created_gmt: wcDate(at),
      date_modified: wcDate(at),
      date_modified_gmt: wcDate(at),
      type: input.type ?? 'simple',
      status: input.status ?? 'publish',
      description: input.description ?? '',
      short_description: input.short_description ?? '',
      sku: input.sku ?? '',
      price,
      regular_price: input.regular_price ?? '',
      sale_price: input.sale_price ?? '',
      manage_stock: input.manage_stock ?? false,
      stock_quantity: input.manage_stock ? (input.stock_quantity ?? 0) : null,
      stock_status: 'instock',
      variations: [],
      meta_data: input.meta_data ?? [],
    };
    product.stock_status = stockStatus(product);
    this.products.set(id, product);
    return product;
  }

  /** Changes a product's fields and moves its `date_modified`. */
  updateProduct(id: number, change: Partial<WcProduct>): WcProduct | undefined {
    const product = this.products.get(id);
    if (!product) return undefined;
    Object.assign(product, change);
    if (change.regular_price !== undefined || change.sale_price !== undefined) {
      product.price = product.sale_price || product.regular_price;
    }
    if (!product.manage_stock) product.stock_quantity = null;
    product.stock_status = stockStatus(product);
    this.#touch(product);
    return product;
  }

  addCustomer(input: Partial<WcCustomer> & { email: string }): WcCustomer {
    const id = this.#nextCustomerId++;
    const at = this.#now();
    const customer: WcCustomer = {
      id,
      date_created: wcDate(at),
      date_created_gmt: wcDate(at),
      date_modified: wcDate(at),
      date_modified_gmt: wcDate(at),
      email: input.email,
      first_name: input.first_name ?? '',
      last_name: input.last_name ?? '',
      role: 'customer',
      username: input.email.split('@')[0] ?? input.email,
      billing: { ...emptyAddress(), email: input.email, phone: '', ...input.billing },
      shipping: { ...emptyAddress(), ...input.shipping },
      is_paying_customer: false,
      avatar_url: 'https://secure.gravatar.com/avatar/?s=96&d=mm&r=g',
      meta_data: [],
    };
    this.customers.set(id, customer);
    return customer;
  }

  /** An order as `POST /orders` creates it: lines priced from the products, totals computed. */
  addOrder(input: {
    status?: WcOrderStatus;
    currency?: string;
    customer_id?: number;
    billing?: Partial<WcAddress>;
    line_items?: Array<{ product_id: number; variation_id?: number; quantity: number }>;
    set_paid?: boolean;
    payment_method?: string;
    payment_method_title?: string;
    meta_data?: Array<{ key: string; value: string }>;
  }): WcOrder {
    const id = this.#nextPostId++;
    const at = this.#now();
    const customer = input.customer_id ? this.customers.get(input.customer_id) : undefined;
    const lines: WcLineItem[] = (input.line_items ?? []).map((line) => {
      const product = this.products.get(line.product_id);
      const unit = Number(product?.price || '0');
      const total = (unit * line.quantity).toFixed(2);
      return {
        id: this.#nextLineId++,
        name: product?.name ?? '',
        product_id: line.product_id,
        variation_id: line.variation_id ?? 0,
        quantity: line.quantity,
        tax_class: '',
        subtotal: total,
        subtotal_tax: '0.00',
        total,
        total_tax: '0.00',
        sku: product?.sku ?? '',
        price: unit,
        meta_data: [],
      };
    });
    const total = lines.reduce((sum, line) => sum + Number(line.total), 0).toFixed(2);
    const paid = input.set_paid === true;
    const status = input.status ?? (paid ? 'processing' : 'pending');
    const order: WcOrder = {
      id,
      parent_id: 0,
      number: String(id),
      order_key: `wc_order_${randomBytes(7).toString('base64url')}`,
      created_via: 'rest-api',
      status,
      currency: input.currency ?? 'USD',
      date_created: wcDate(at),
      date_created_gmt: wcDate(at),
      date_modified: wcDate(at),
      date_modified_gmt: wcDate(at),
      discount_total: '0.00',
      shipping_total: '0.00',
      total,
      total_tax: '0.00',
      customer_id: customer?.id ?? 0,
      billing: {
        ...emptyAddress(),
        email: customer?.email ?? '',
        phone: '',
        first_name: customer?.first_name ?? '',
        last_name: customer?.last_name ?? '',
        ...input.billing,
      },
      shipping: emptyAddress(),
      payment_method: input.payment_method ?? '',
      payment_method_title: input.payment_method_title ?? '',
      date_paid_gmt: paid ? wcDate(at) : null,
      date_completed_gmt: status === 'completed' ? wcDate(at) : null,
      line_items: lines,
      refunds: [],
      meta_data: (input.meta_data ?? []).map((meta, index) => ({ id: index + 1, ...meta })),
    };
    // Stock goes down as WooCommerce reduces it for a paid order.
    if (paid) {
      for (const line of lines) {
        const product = this.products.get(line.product_id);
        if (product?.manage_stock && product.stock_quantity !== null) {
          this.updateProduct(product.id, { stock_quantity: product.stock_quantity - line.quantity });
        }
      }
    }
    this.orders.set(id, order);
    return order;
  }

  /** Changes an order's status (and the dates that go with it), moving `date_modified`. */
  setOrderStatus(id: number, status: WcOrderStatus): WcOrder | undefined {
    const order = this.orders.get(id);
    if (!order) return undefined;
    order.status = status;
    if (status === 'completed') order.date_completed_gmt = wcDate(this.#now());
    this.#touch(order);
    return order;
  }

  #touch(item: { date_modified: string; date_modified_gmt: string }): void {
    const at = wcDate(this.#now());
    item.date_modified = at;
    item.date_modified_gmt = at;
  }
}

function stockStatus(product: WcProduct): WcProduct['stock_status'] {
  if (!product.manage_stock || product.stock_quantity === null) return product.stock_status ?? 'instock';
  return product.stock_quantity > 0 ? 'instock' : 'outofstock';
}
