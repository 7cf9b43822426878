/**
 * The emulated shop's objects, with the GraphQL Admin API's field names and global ids
 * (`gid://shopify/Product/1001`; https://shopify.dev/docs/api/usage/gids). Money fields are
 * decimal strings in the shop's currency, as the API returns them.
 */

export interface ShopifyVariant {
  id: string;
  title: string;
  sku: string | null;
  price: string;
  inventoryQuantity: number | null;
  inventoryItem: { id: string; tracked: boolean };
}

export interface ShopifyProduct {
  id: string;
  title: string;
  handle: string;
  descriptionHtml: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  vendor: string;
  productType: string;
  onlineStoreUrl: string | null;
  createdAt: string;
  updatedAt: string;
  variants: ShopifyVariant[];
}

export interface ShopifyCustomer {
  id: string;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  email: string | null;
  phone: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ShopifyMoneyBag {
  shopMoney: { amount: string; currencyCode: string };
}

export interface ShopifyOrder {
  id: string;
  name: string;
  email: string | null;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  displayFinancialStatus: 'PENDING' | 'AUTHORIZED' | 'PAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED';
  displayFulfillmentStatus: 'UNFULFILLED' | 'FULFILLED' | 'PARTIALLY_FULFILLED';
  currencyCode: string;
  totalPriceSet: ShopifyMoneyBag;
  customer: { id: string } | null;
  lineItems: Array<{
    id: string;
    title: string;
    quantity: number;
    sku: string | null;
    variant: { id: string } | null;
    originalUnitPriceSet: ShopifyMoneyBag;
  }>;
}

/** One kind of object the shop lists: sorted by id, as Shopify's default `sortKey: ID`. */
export type Resource = 'products' | 'customers' | 'orders';

export class ShopStore {
  readonly currencyCode: string;
  readonly products: ShopifyProduct[] = [];
  readonly customers: ShopifyCustomer[] = [];
  readonly orders: ShopifyOrder[] = [];
  #next = 1000;
  readonly #now: () => Date;

  constructor(options: { currencyCode?: string; now: () => Date }) {
    this.currencyCode = options.currencyCode ?? 'USD';
    this.#now = options.now;
  }

  /** A new numeric id, shared by every kind (ids only grow, as Shopify's do). */
  nextId(): number {
    this.#next += 1;
    return this.#next;
  }

  timestamp(): string {
    return this.#now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  addProduct(fields: {
    title: string;
    variants?: number;
    price?: string;
    inventory?: number;
  }): ShopifyProduct {
    const id = this.nextId();
    const at = this.timestamp();
    const variants: ShopifyVariant[] = [];
    for (let index = 0; index < (fields.variants ?? 1); index += 1) {
      const variantId = this.nextId();
      variants.push({
        id: `gid://shopify/ProductVariant/${variantId}`,
        title: fields.variants && fields.variants > 1 ? `Option ${index + 1}` : 'Default Title',
        sku: `SKU-${variantId}`,
        price: fields.price ?? '19.00',
        inventoryQuantity: fields.inventory ?? 10,
        inventoryItem: { id: `gid://shopify/InventoryItem/${variantId}`, tracked: true },
      });
    }
    const product: ShopifyProduct = {
      id: `gid://shopify/Product/${id}`,
      title: fields.title,
      handle: fields.title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      descriptionHtml: `<p>${fields.title}</p>`,
      status: 'ACTIVE',
      vendor: 'Acme',
      productType: 'Goods',
      onlineStoreUrl: null,
      createdAt: at,
      updatedAt: at,
      variants,
    };
    this.products.push(product);
    return product;
  }

  addCustomer(fields: { firstName: string; lastName: string; email: string }): ShopifyCustomer {
    const at = this.timestamp();
    const customer: ShopifyCustomer = {
      id: `gid://shopify/Customer/${this.nextId()}`,
      ...fields,
      displayName: `${fields.firstName} ${fields.lastName}`,
      phone: null,
      createdAt: at,
      updatedAt: at,
    };
    this.customers.push(customer);
    return customer;
  }

  addOrder(fields: {
    customer: ShopifyCustomer | null;
    variant: ShopifyVariant;
    quantity: number;
  }): ShopifyOrder {
    const at = this.timestamp();
    const total = (Number(fields.variant.price) * fields.quantity).toFixed(2);
    const money = (amount: string) => ({ shopMoney: { amount, currencyCode: this.currencyCode } });
    const order: ShopifyOrder = {
      id: `gid://shopify/Order/${this.nextId()}`,
      name: `#${1001 + this.orders.length}`,
      email: fields.customer?.email ?? null,
      createdAt: at,
      updatedAt: at,
      cancelledAt: null,
      displayFinancialStatus: 'PAID',
      displayFulfillmentStatus: 'UNFULFILLED',
      currencyCode: this.currencyCode,
      totalPriceSet: money(total),
      customer: fields.customer ? { id: fields.customer.id } : null,
      lineItems: [
        {
          id: `gid://shopify/LineItem/${this.nextId()}`,
          title: fields.variant.title,
          quantity: fields.quantity,
          sku: fields.variant.sku,
          variant: { id: fields.variant.id },
          originalUnitPriceSet: money(fields.variant.price),
        },
      ],
    };
    this.orders.push(order);
    return order;
  }
}
