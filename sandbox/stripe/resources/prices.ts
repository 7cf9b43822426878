/**
 * `/v1/prices`: create (on a `product` or with `product_data`), retrieve, update, list (by
 * `product`, `active`, `type`, `currency`, `lookup_keys`). `createPrice` also makes the inline
 * prices of `price_data` hashes elsewhere (inactive and without an event, as Stripe hides them).
 */
import { nowSeconds, type Scope } from '../context.ts';
import { invalidRequest, parameterMissing } from '../errors.ts';
import { previousAttributes, recordEvent } from '../events.ts';
import { newId } from '../ids.ts';
import { listPage } from '../list.ts';
import { type Interval, type PriceRecord, priceJson } from '../objects/price.ts';
import { applyMetadata, type Params } from '../params.ts';
import type { RouteTable } from '../routes.ts';
import { find } from './lookup.ts';
import { createProduct } from './products.ts';

export interface PriceFields {
  product: string;
  currency: string;
  unitAmount: number;
  recurring?: PriceRecord['recurring'] | undefined;
  nickname?: string | null | undefined;
  lookupKey?: string | null | undefined;
  metadata?: Record<string, string> | undefined;
  active?: boolean | undefined;
  taxBehavior?: PriceRecord['taxBehavior'] | undefined;
}

export function createPrice(scope: Scope, fields: PriceFields, event = false): PriceRecord {
  const price: PriceRecord = {
    id: newId('price'),
    created: nowSeconds(scope),
    seq: scope.account.nextSeq(),
    product: fields.product,
    currency: fields.currency,
    unitAmount: fields.unitAmount,
    recurring: fields.recurring ?? null,
    active: fields.active ?? true,
    nickname: fields.nickname ?? null,
    lookupKey: fields.lookupKey ?? null,
    metadata: fields.metadata ?? {},
    taxBehavior: fields.taxBehavior ?? 'unspecified',
  };
  scope.account.prices.add(price);
  if (event) recordEvent(scope, 'price.created', priceJson(price, scope));
  return price;
}

/** A three-letter ISO currency code, lower-cased as Stripe returns it. */
export function readCurrency(params: Params, key = 'currency'): string {
  const currency = params.requiredString(key);
  if (!/^[a-zA-Z]{3}$/.test(currency)) {
    throw invalidRequest(
      `Invalid currency: ${currency}. Stripe currently supports these currencies: usd, eur, gbp, …`,
      {
        param: params.name(key),
      },
    );
  }
  return currency.toLowerCase();
}

/** `recurring[interval]` and `recurring[interval_count]`. */
export function readRecurring(params: Params): PriceRecord['recurring'] | undefined {
  const recurring = params.object('recurring');
  if (!recurring) return undefined;
  const interval = recurring.enumeration<Interval>('interval', ['day', 'week', 'month', 'year']);
  if (interval === undefined) throw parameterMissing(recurring.name('interval'));
  return { interval, intervalCount: recurring.nonNegative('interval_count', 1) ?? 1 };
}

/** `unit_amount`, or a whole-number `unit_amount_decimal`; one of them is required. */
export function readUnitAmount(params: Params): number {
  const amount = params.nonNegative('unit_amount');
  const decimal = params.decimal('unit_amount_decimal');
  if (amount !== undefined) return amount;
  if (decimal !== undefined && /^\d+(\.0+)?$/.test(decimal)) return Number.parseInt(decimal, 10);
  if (decimal !== undefined) {
    throw invalidRequest('The emulator supports whole-number unit_amount_decimal values only.', {
      param: params.name('unit_amount_decimal'),
    });
  }
  throw parameterMissing(params.name('unit_amount'));
}

/** `product` (an existing id) or `product_data[name]` (a new product). */
export function readProduct(scope: Scope, params: Params): string {
  const id = params.string('product');
  if (id !== undefined) return find(scope.account.products, id, 'product', params.name('product')).id;
  const data = params.object('product_data');
  if (!data) throw parameterMissing(params.name('product'));
  const name = data.requiredString('name');
  const description = data.string('description');
  const metadata = applyMetadata({}, data.metadata());
  return createProduct(scope, { name, description, metadata }, false).id;
}

export function priceRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/prices', ({ scope, params }) => {
    const currency = readCurrency(params);
    const unitAmount = readUnitAmount(params);
    const recurring = readRecurring(params);
    const fields = {
      currency,
      unitAmount,
      recurring,
      nickname: params.string('nickname'),
      lookupKey: params.string('lookup_key'),
      active: params.boolean('active'),
      taxBehavior: params.enumeration('tax_behavior', ['exclusive', 'inclusive', 'unspecified'] as const),
      metadata: applyMetadata({}, params.metadata()),
    };
    const product = readProduct(scope, params);
    params.done();
    return priceJson(createPrice(scope, { ...fields, product }, true), scope);
  });

  routes.add('GET', '/v1/prices/:id', ({ scope, params, path }) => {
    params.done();
    return priceJson(find(scope.account.prices, path.id as string, 'price'), scope);
  });

  routes.add('POST', '/v1/prices/:id', ({ scope, params, path }) => {
    const price = find(scope.account.prices, path.id as string, 'price');
    const active = params.boolean('active');
    const nickname = params.nullableString('nickname');
    const lookupKey = params.nullableString('lookup_key');
    const metadata = params.metadata();
    params.done();
    const before = priceJson(price, scope);
    if (active !== undefined) price.active = active;
    if (nickname !== undefined) price.nickname = nickname;
    if (lookupKey !== undefined) price.lookupKey = lookupKey;
    price.metadata = applyMetadata(price.metadata, metadata);
    const after = priceJson(price, scope);
    const previous = previousAttributes(before, after);
    if (previous) recordEvent(scope, 'price.updated', after, previous);
    return after;
  });

  routes.add('GET', '/v1/prices', ({ scope, params }) => {
    const product = params.string('product');
    const active = params.boolean('active');
    const type = params.enumeration('type', ['one_time', 'recurring'] as const);
    const currency = params.string('currency')?.toLowerCase();
    const lookupKeys = params.stringList('lookup_keys');
    const filter = (price: PriceRecord) =>
      (product === undefined || price.product === product) &&
      (active === undefined || price.active === active) &&
      (type === undefined || (price.recurring ? 'recurring' : 'one_time') === type) &&
      (currency === undefined || price.currency === currency) &&
      (lookupKeys === undefined || (price.lookupKey !== null && lookupKeys.includes(price.lookupKey)));
    return listPage(scope.account.prices, params, { url: '/v1/prices', noun: 'price', filter }, (p) =>
      priceJson(p, scope),
    );
  });
}
