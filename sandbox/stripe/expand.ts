/**
 * `expand[]`: replaces an id in the answer with the object it names (`customer`,
 * `data.customer` on lists, `latest_charge.payment_intent`…), and adds the lists Stripe only
 * includes on request (`payments` of an invoice, `line_items` of a checkout session or payment
 * link, `refunds` of a charge). A path that names nothing expandable is refused as Stripe does.
 */
import type { View } from './context.ts';
import { invalidRequest } from './errors.ts';
import { embeddedList } from './list.ts';
import { applicationFeeJson } from './objects/application-fee.ts';
import { chargeJson } from './objects/charge.ts';
import { checkoutLineJson, checkoutSessionJson } from './objects/checkout-session.ts';
import { customerJson, deletedCustomerJson } from './objects/customer.ts';
import { invoiceJson, invoicePaymentJson } from './objects/invoice.ts';
import { invoiceItemJson } from './objects/invoice-item.ts';
import { paymentIntentJson } from './objects/payment-intent.ts';
import { paymentLinkJson } from './objects/payment-link.ts';
import { priceJson } from './objects/price.ts';
import { productJson } from './objects/product.ts';
import { refundJson } from './objects/refund.ts';
import { subscriptionJson } from './objects/subscription.ts';

type JsonObject = Record<string, unknown>;

/** Renders the object an id names, by its prefix; undefined for ids the emulator cannot expand. */
function resolve(id: string, view: View): object | undefined {
  const { account } = view;
  const prefix = id.slice(0, id.indexOf('_') + 1);
  switch (prefix) {
    case 'cus_': {
      const customer = account.customers.get(id);
      return customer && (customer.deleted ? deletedCustomerJson(id) : customerJson(customer, view));
    }
    case 'prod_':
      return render(account.products.get(id), productJson, view);
    case 'price_':
      return render(account.prices.get(id), priceJson, view);
    case 'ii_':
      return render(account.invoiceItems.get(id), invoiceItemJson, view);
    case 'in_':
      return render(account.invoices.get(id), invoiceJson, view);
    case 'pi_':
      return render(account.paymentIntents.get(id), paymentIntentJson, view);
    case 'ch_':
      return render(account.charges.get(id), chargeJson, view);
    case 're_':
      return render(account.refunds.get(id), refundJson, view);
    case 'sub_':
      return render(account.subscriptions.get(id), subscriptionJson, view);
    case 'cs_':
      return render(account.checkoutSessions.get(id), checkoutSessionJson, view);
    case 'plink_':
      return render(account.paymentLinks.get(id), paymentLinkJson, view);
    case 'fee_':
      return render(account.applicationFees.get(id), applicationFeeJson, view);
    default:
      return undefined;
  }
}

function render<T>(
  record: T | undefined,
  json: (record: T, view: View) => object,
  view: View,
): object | undefined {
  return record === undefined ? undefined : json(record, view);
}

/** Lists Stripe includes only when asked: `object` type → field → the list. */
function includable(target: JsonObject, field: string, view: View): object | undefined {
  const { account } = view;
  const id = String(target.id);
  if (target.object === 'invoice' && field === 'payments') {
    const invoice = account.invoices.get(id);
    if (!invoice) return undefined;
    const payments = [...invoice.payments].reverse().map((payment) => invoicePaymentJson(payment, invoice));
    return embeddedList(payments, `/v1/invoice_payments?invoice=${id}`);
  }
  if (target.object === 'checkout.session' && field === 'line_items') {
    const session = account.checkoutSessions.get(id);
    if (!session) return undefined;
    const lines = session.lines.map((line) => checkoutLineJson(line, session.currency, view));
    return embeddedList(lines, `/v1/checkout/sessions/${id}/line_items`);
  }
  if (target.object === 'payment_link' && field === 'line_items') {
    const link = account.paymentLinks.get(id);
    if (!link) return undefined;
    const lines = link.lines.map((line) => checkoutLineJson(line, link.currency, view));
    return embeddedList(lines, `/v1/payment_links/${id}/line_items`);
  }
  if (target.object === 'charge' && field === 'refunds') {
    const charge = account.charges.get(id);
    if (!charge) return undefined;
    const refunds = [...charge.refunds].reverse().flatMap((refundId) => {
      const refund = account.refunds.get(refundId);
      return refund ? [refundJson(refund, view)] : [];
    });
    return embeddedList(refunds, `/v1/charges/${id}/refunds`);
  }
  return undefined;
}

/** Applies every `expand[]` path to `answer` (in place) and returns it. */
export function expand(answer: object, paths: readonly string[], view: View): object {
  for (const path of paths) expandPath(answer as JsonObject, path.split('.'), path, view);
  return answer;
}

function expandPath(target: JsonObject, segments: string[], path: string, view: View): void {
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === 'data' && target.object === 'list' && Array.isArray(target.data)) {
    if (rest.length === 0) throw cannotExpand(path);
    for (const item of target.data as JsonObject[]) expandPath(item, rest, path, view);
    return;
  }
  let value = target[head];
  if (value === undefined) {
    value = includable(target, head, view);
    if (value === undefined) throw cannotExpand(path);
    target[head] = value;
  } else if (typeof value === 'string') {
    value = resolve(value, view);
    if (value === undefined) throw cannotExpand(path);
    target[head] = value;
  } else if (value === null || typeof value !== 'object') {
    if (value !== null) throw cannotExpand(path);
    return;
  }
  if (rest.length > 0) expandPath(value as JsonObject, rest, path, view);
}

function cannotExpand(path: string): Error {
  return invalidRequest(`This property cannot be expanded (${path}).`, { param: 'expand' });
}
