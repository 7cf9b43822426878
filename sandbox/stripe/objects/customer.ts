/** Customers: the record the emulator keeps and the JSON Stripe sends for it. */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';

export interface CustomerRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  email: string | null;
  name: string | null;
  description: string | null;
  phone: string | null;
  address: Stripe.Address | null;
  metadata: Record<string, string>;
  /** Prefix of this customer's invoice numbers (`8F2C41D0-0001`). */
  readonly invoicePrefix: string;
  nextInvoiceSequence: number;
  /** Set by the first invoice or subscription, as at Stripe. */
  currency: string | null;
  preferredLocales: string[];
  deleted: boolean;
}

export function customerJson(customer: CustomerRecord, _view: View): StripeJson<Stripe.Customer> {
  return {
    id: customer.id,
    object: 'customer',
    address: customer.address,
    balance: 0,
    created: customer.created,
    currency: customer.currency,
    default_source: null,
    delinquent: false,
    description: customer.description,
    discount: null,
    email: customer.email,
    invoice_prefix: customer.invoicePrefix,
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: { ...customer.metadata },
    name: customer.name,
    next_invoice_sequence: customer.nextInvoiceSequence,
    phone: customer.phone,
    preferred_locales: [...customer.preferredLocales],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

/** What a deleted customer's id still returns. */
export function deletedCustomerJson(id: string): StripeJson<Stripe.DeletedCustomer> {
  return { id, object: 'customer', deleted: true };
}
