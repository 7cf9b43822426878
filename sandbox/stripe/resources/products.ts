/** `/v1/products`: create (with `default_price_data`), retrieve, update, delete, list. */
import type Stripe from 'stripe';
import { nowSeconds, type Scope } from '../context.ts';
import { invalidRequest } from '../errors.ts';
import { previousAttributes, recordEvent } from '../events.ts';
import { newId } from '../ids.ts';
import { listPage } from '../list.ts';
import { type ProductRecord, productJson } from '../objects/product.ts';
import { applyMetadata, type Params } from '../params.ts';
import type { RouteTable } from '../routes.ts';
import { find } from './lookup.ts';
import { createPrice, readCurrency, readRecurring } from './prices.ts';

export interface ProductFields {
  id?: string | undefined;
  name: string;
  description?: string | null | undefined;
  active?: boolean | undefined;
  metadata?: Record<string, string> | undefined;
}

/** Creates a product; `event` false for the hidden products of `product_data`. */
export function createProduct(scope: Scope, fields: ProductFields, event = true): ProductRecord {
  const { account } = scope;
  const id = fields.id ?? newId('prod').slice(0, 19);
  if (account.products.get(id)) {
    throw invalidRequest(`Product already exists.`, { code: 'resource_already_exists', param: 'id' });
  }
  const created = nowSeconds(scope);
  const product: ProductRecord = {
    id,
    created,
    seq: account.nextSeq(),
    updated: created,
    name: fields.name,
    description: fields.description ?? null,
    active: fields.active ?? true,
    metadata: fields.metadata ?? {},
    defaultPrice: null,
    images: [],
    url: null,
    unitLabel: null,
    statementDescriptor: null,
  };
  account.products.add(product);
  if (event) recordEvent(scope, 'product.created', productJson(product, scope));
  return product;
}

function readEditable(params: Params, product: Partial<ProductRecord>): void {
  const description = params.nullableString('description');
  if (description !== undefined) product.description = description;
  const active = params.boolean('active');
  if (active !== undefined) product.active = active;
  const images = params.stringList('images');
  if (images !== undefined) product.images = images;
  const url = params.nullableString('url');
  if (url !== undefined) product.url = url;
  const unitLabel = params.nullableString('unit_label');
  if (unitLabel !== undefined) product.unitLabel = unitLabel;
  const descriptor = params.nullableString('statement_descriptor');
  if (descriptor !== undefined) product.statementDescriptor = descriptor;
}

export function productRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/products', ({ scope, params }) => {
    const fields: ProductFields = { name: params.requiredString('name'), id: params.string('id') };
    const editable: Partial<ProductRecord> = {};
    readEditable(params, editable);
    const metadata = applyMetadata({}, params.metadata());
    const priceData = params.object('default_price_data');
    const price = priceData && {
      currency: readCurrency(priceData),
      unitAmount: priceData.nonNegative('unit_amount') ?? 0,
      recurring: readRecurring(priceData),
    };
    params.done();
    const product = createProduct(scope, { ...fields, metadata }, false);
    Object.assign(product, editable);
    if (price) product.defaultPrice = createPrice(scope, { ...price, product: product.id }).id;
    recordEvent(scope, 'product.created', productJson(product, scope));
    return productJson(product, scope);
  });

  routes.add('GET', '/v1/products/:id', ({ scope, params, path }) => {
    params.done();
    return productJson(find(scope.account.products, path.id as string, 'product'), scope);
  });

  routes.add('POST', '/v1/products/:id', ({ scope, params, path }) => {
    const product = find(scope.account.products, path.id as string, 'product');
    const changes: Partial<ProductRecord> = {};
    const name = params.string('name');
    if (name !== undefined) changes.name = name;
    readEditable(params, changes);
    const defaultPrice = params.nullableString('default_price');
    if (defaultPrice) find(scope.account.prices, defaultPrice, 'price', 'default_price');
    if (defaultPrice !== undefined) changes.defaultPrice = defaultPrice;
    const metadata = params.metadata();
    params.done();
    const before = productJson(product, scope);
    Object.assign(product, changes);
    product.metadata = applyMetadata(product.metadata, metadata);
    product.updated = nowSeconds(scope);
    const after = productJson(product, scope);
    const previous = previousAttributes(before, after);
    if (previous) recordEvent(scope, 'product.updated', after, previous);
    return after;
  });

  // https://docs.stripe.com/api/products/delete: only a product with no prices can be deleted
  // (archive it with active=false otherwise); the answer is the deletion stub.
  routes.add('DELETE', '/v1/products/:id', ({ scope, params, path }) => {
    params.done();
    const product = find(scope.account.products, path.id as string, 'product');
    if (scope.account.prices.values().some((price) => price.product === product.id)) {
      throw invalidRequest('This product cannot be deleted because it has one or more user-created prices.');
    }
    const last = productJson(product, scope);
    scope.account.products.remove(product);
    recordEvent(scope, 'product.deleted', last);
    return { id: product.id, object: 'product', deleted: true } satisfies Stripe.DeletedProduct;
  });

  routes.add('GET', '/v1/products', ({ scope, params }) => {
    const active = params.boolean('active');
    const ids = params.stringList('ids');
    const filter = (product: ProductRecord) =>
      (active === undefined || product.active === active) && (ids === undefined || ids.includes(product.id));
    return listPage(scope.account.products, params, { url: '/v1/products', noun: 'product', filter }, (p) =>
      productJson(p, scope),
    );
  });
}
