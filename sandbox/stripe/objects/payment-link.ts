/**
 * Payment links: a reusable page (`url`) that opens a checkout session for its line items, with
 * the platform's application fee on connected accounts.
 */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';

export interface PaymentLinkLineRecord {
  readonly id: string;
  readonly price: string;
  readonly quantity: number;
  /** The product's name, as the line item shows it. */
  readonly description: string;
}

export interface PaymentLinkRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  /** The last part of its URL (`/b/<code>`). */
  readonly code: string;
  readonly currency: string;
  readonly lines: PaymentLinkLineRecord[];
  active: boolean;
  metadata: Record<string, string>;
  readonly applicationFeeAmount: number | null;
  readonly applicationFeePercent: number | null;
  readonly redirectUrl: string | null;
  readonly paymentIntentData: { description: string | null; metadata: Record<string, string> } | null;
  /** The platform that created it on a connected account (its application fee goes there). */
  readonly platform: string | null;
}

export function paymentLinkUrl(link: PaymentLinkRecord, view: View): string {
  return `${view.origin}/b/${view.account.id}/${link.code}`;
}

export function paymentLinkJson(link: PaymentLinkRecord, view: View): StripeJson<Stripe.PaymentLink> {
  return {
    id: link.id,
    object: 'payment_link',
    active: link.active,
    after_completion: link.redirectUrl
      ? { type: 'redirect', redirect: { url: link.redirectUrl } }
      : { type: 'hosted_confirmation', hosted_confirmation: { custom_message: null } },
    allow_promotion_codes: false,
    application: null,
    application_fee_amount: link.applicationFeeAmount,
    application_fee_percent: link.applicationFeePercent,
    automatic_tax: { enabled: false, liability: null },
    billing_address_collection: 'auto',
    consent_collection: null,
    currency: link.currency,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer_creation: 'if_required',
    inactive_message: null,
    invoice_creation: null,
    livemode: false,
    managed_payments: null,
    metadata: { ...link.metadata },
    on_behalf_of: null,
    payment_intent_data: link.paymentIntentData && {
      capture_method: null,
      description: link.paymentIntentData.description,
      metadata: { ...link.paymentIntentData.metadata },
      setup_future_usage: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      transfer_group: null,
    },
    payment_method_collection: 'always',
    payment_method_options: null,
    payment_method_types: null,
    phone_number_collection: { enabled: false },
    restrictions: null,
    shipping_address_collection: null,
    shipping_options: [],
    submit_type: 'auto',
    subscription_data: null,
    tax_id_collection: { enabled: false, required: 'never' },
    transfer_data: null,
    url: paymentLinkUrl(link, view),
  };
}
