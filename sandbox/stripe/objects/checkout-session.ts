/**
 * Checkout sessions in `payment` mode, and their line items (`li_…`, object `item`). The session
 * page (`url`) is served by the emulator; completing it (on that page or with
 * `control.completeCheckoutSession`) makes the payment.
 */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';
import { type PriceRecord, priceJson } from './price.ts';

export interface CheckoutLineRecord {
  readonly id: string;
  readonly price: string;
  readonly quantity: number;
  readonly description: string;
}

export interface CheckoutSessionRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  readonly currency: string;
  readonly lines: CheckoutLineRecord[];
  readonly amountTotal: number;
  readonly successUrl: string | null;
  readonly cancelUrl: string | null;
  customer: string | null;
  readonly customerEmail: string | null;
  readonly customerCreation: 'always' | 'if_required';
  readonly clientReferenceId: string | null;
  readonly metadata: Record<string, string>;
  readonly paymentIntentData: {
    applicationFeeAmount: number | null;
    description: string | null;
    metadata: Record<string, string>;
  };
  readonly paymentLink: string | null;
  /** The platform that created it on a connected account (its application fee goes there). */
  readonly platform: string | null;
  readonly expiresAt: number;
  status: 'open' | 'complete' | 'expired';
  paymentStatus: 'paid' | 'unpaid';
  paymentIntent: string | null;
  customerDetails: { email: string | null; name: string | null } | null;
}

export function checkoutLineJson(
  line: CheckoutLineRecord,
  currency: string,
  view: View,
): StripeJson<Stripe.LineItem> {
  const price = view.account.prices.get(line.price) as PriceRecord;
  const amount = price.unitAmount * line.quantity;
  return {
    id: line.id,
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency,
    description: line.description,
    metadata: {},
    price: priceJson(price, view),
    quantity: line.quantity,
  };
}

/** The page a buyer pays on. */
export function checkoutUrl(session: CheckoutSessionRecord, view: View): string {
  return `${view.origin}/c/pay/${view.account.id}/${session.id}`;
}

export function checkoutSessionJson(
  session: CheckoutSessionRecord,
  view: View,
): StripeJson<Stripe.Checkout.Session> {
  const details = session.customerDetails;
  return {
    id: session.id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: session.amountTotal,
    amount_total: session.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: session.cancelUrl,
    client_reference_id: session.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: session.created,
    currency: session.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: session.customer,
    customer_account: null,
    customer_creation: session.customerCreation,
    customer_details: details && {
      address: null,
      business_name: null,
      email: details.email,
      individual_name: null,
      name: details.name,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    },
    customer_email: session.customerEmail,
    discounts: [],
    expires_at: session.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: { ...session.metadata },
    mode: 'payment',
    origin_context: null,
    payment_intent: session.paymentIntent,
    payment_link: session.paymentLink,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: session.paymentStatus,
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: session.status,
    submit_type: null,
    subscription: null,
    success_url: session.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: session.status === 'open' ? checkoutUrl(session, view) : null,
    wallet_options: null,
  };
}
