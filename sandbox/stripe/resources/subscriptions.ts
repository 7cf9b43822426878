import { invalidRequest } from '../errors.ts';
import { previousAttributes, recordEvent } from '../events.ts';
import { listPage } from '../list.ts';
import type { PriceRecord } from '../objects/price.ts';
import { type SubscriptionRecord, subscriptionJson } from '../objects/subscription.ts';
import { changeItems } from '../ops/subscription-items.ts';
import { cancelSubscription, createSubscription } from '../ops/subscriptions.ts';
import { applyMetadata, type Params } from '../params.ts';
import type { Call, RouteTable } from '../routes.ts';
import { readApplicationFeePercent } from './application-fee-params.ts';
import { readDaysUntilDue } from './invoice-params.ts';
import { find } from './lookup.ts';
import { createPrice, readCurrency, readRecurring, readUnitAmount } from './prices.ts';

const STATUSES = [
  'active',
  'all',
  'canceled',
  'ended',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
] as const;
const METHODS = ['charge_automatically', 'send_invoice'] as const;

/** An item's price: `price` or `price_data` (currency, product, unit amount, recurring). */
function readItemPrice(call: Call, item: Params): PriceRecord {
  const { scope } = call;
  const id = item.string('price');
  const price = id === undefined ? undefined : find(scope.account.prices, id, 'price', item.name('price'));
  const data = item.object('price_data');
  if (price) {
    if (!price.recurring) {
      throw invalidRequest(
        'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
        { param: item.name('price') },
      );
    }
    return price;
  }
  if (!data)
    throw invalidRequest(`Missing required param: ${item.name('price')}.`, {
      code: 'parameter_missing',
      param: item.name('price'),
    });
  const currency = readCurrency(data);
  const product = find(
    scope.account.products,
    data.requiredString('product'),
    'product',
    data.name('product'),
  ).id;
  const unitAmount = readUnitAmount(data);
  const recurring = readRecurring(data);
  if (!recurring)
    throw invalidRequest(`Missing required param: ${data.name('recurring')}.`, {
      code: 'parameter_missing',
      param: data.name('recurring'),
    });
  return createPrice(scope, { currency, product, unitAmount, recurring, active: false });
}

function subscriptionOf(call: Call): SubscriptionRecord {
  return find(call.scope.account.subscriptions, call.path.id as string, 'subscription');
}

export function subscriptionRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/subscriptions', (call) => {
    const { scope, params } = call;
    const customer = find(scope.account.customers, params.requiredString('customer'), 'customer', 'customer');
    const list = params.list('items');
    if (!list || list.length === 0)
      throw invalidRequest('Missing required param: items.', { code: 'parameter_missing', param: 'items' });
    const items = list.map((item) => ({
      price: readItemPrice(call, item),
      quantity: item.nonNegative('quantity', 1) ?? 1,
      metadata: applyMetadata({}, item.metadata()),
    }));
    const collectionMethod = params.enumeration('collection_method', METHODS) ?? 'charge_automatically';
    const request = {
      customer,
      items,
      collectionMethod,
      daysUntilDue: readDaysUntilDue(params, collectionMethod),
      description: params.string('description') ?? null,
      metadata: applyMetadata({}, params.metadata()),
      trialPeriodDays: params.nonNegative('trial_period_days') ?? null,
      paymentBehavior:
        params.enumeration('payment_behavior', [
          'allow_incomplete',
          'default_incomplete',
          'error_if_incomplete',
        ] as const) ?? 'allow_incomplete',
      applicationFeePercent: readApplicationFeePercent(call, params),
      paymentMethod: params.string('default_payment_method'),
      platform: call.platform,
    };
    params.enumeration('proration_behavior', ['always_invoice', 'create_prorations', 'none'] as const);
    params.done();
    return subscriptionJson(createSubscription(scope, request), scope);
  });

  routes.add('GET', '/v1/subscriptions/:id', (call) => {
    call.params.done();
    return subscriptionJson(subscriptionOf(call), call.scope);
  });

  routes.add('POST', '/v1/subscriptions/:id', (call) => {
    const { scope, params } = call;
    const subscription = subscriptionOf(call);
    if (subscription.status === 'canceled') {
      throw invalidRequest('A canceled subscription can only update its cancellation_details and metadata.');
    }
    const before = subscriptionJson(subscription, scope);
    const description = params.nullableString('description');
    const cancelAtPeriodEnd = params.boolean('cancel_at_period_end');
    const metadata = params.metadata();
    const method = params.enumeration('collection_method', METHODS);
    const days =
      method || params.has('days_until_due')
        ? readDaysUntilDue(params, method ?? subscription.collectionMethod)
        : undefined;
    const changes = params.list('items') ?? [];
    params.enumeration('proration_behavior', ['always_invoice', 'create_prorations', 'none'] as const);
    params.string('default_payment_method');
    const itemChanges = changes.map((item) => ({
      param: item.path,
      id: item.string('id'),
      deleted: item.boolean('deleted') ?? false,
      price: item.has('price') || item.has('price_data') ? readItemPrice(call, item) : undefined,
      quantity: item.nonNegative('quantity'),
      metadata: item.metadata(),
    }));
    params.done();
    changeItems(scope, subscription, itemChanges);
    if (description !== undefined) subscription.description = description;
    if (cancelAtPeriodEnd !== undefined) subscription.cancelAtPeriodEnd = cancelAtPeriodEnd;
    if (method) subscription.collectionMethod = method;
    if (days !== undefined) subscription.daysUntilDue = days;
    subscription.metadata = applyMetadata(subscription.metadata, metadata);
    const after = subscriptionJson(subscription, scope);
    const previous = previousAttributes(before, after);
    if (previous) recordEvent(scope, 'customer.subscription.updated', after, previous);
    return after;
  });

  routes.add('DELETE', '/v1/subscriptions/:id', (call) => {
    const { scope, params } = call;
    const subscription = subscriptionOf(call);
    const details = params.object('cancellation_details');
    const comment = details?.string('comment');
    const feedback = details?.string('feedback');
    params.boolean('invoice_now');
    params.boolean('prorate');
    params.done();
    cancelSubscription(scope, subscription, { comment, feedback });
    return subscriptionJson(subscription, scope);
  });

  routes.add('GET', '/v1/subscriptions', ({ scope, params }) => {
    const customer = params.string('customer');
    const price = params.string('price');
    const status = params.enumeration('status', STATUSES);
    const method = params.enumeration('collection_method', METHODS);
    const filter = (subscription: SubscriptionRecord) =>
      (customer === undefined || subscription.customer === customer) &&
      (price === undefined || subscription.items.some((item) => item.price === price)) &&
      (method === undefined || subscription.collectionMethod === method) &&
      statusMatches(subscription.status, status);
    return listPage(
      scope.account.subscriptions,
      params,
      { url: '/v1/subscriptions', noun: 'subscription', filter },
      (s) => subscriptionJson(s, scope),
    );
  });
}

function statusMatches(
  status: SubscriptionRecord['status'],
  wanted: (typeof STATUSES)[number] | undefined,
): boolean {
  if (wanted === 'all') return true;
  if (wanted === 'ended') return status === 'canceled' || status === 'incomplete_expired';
  if (wanted === undefined) return status !== 'canceled';
  return status === wanted;
}
