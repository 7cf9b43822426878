/** Accounts: the platform behind a secret key, and the accounts connected to it. */
import type Stripe from 'stripe';
import type { StripeJson } from '../json.ts';

export interface AccountInfo {
  readonly id: string;
  readonly created: number;
  name: string | null;
  email: string | null;
  country: string;
  defaultCurrency: string;
  url: string | null;
}

export function accountJson(info: AccountInfo): StripeJson<Stripe.Account> {
  return {
    id: info.id,
    object: 'account',
    business_profile: {
      mcc: null,
      minority_owned_business_designation: null,
      name: info.name,
      specified_commercial_transactions_act_url: null,
      support_address: null,
      support_email: info.email,
      support_phone: null,
      support_url: null,
      url: info.url,
    },
    business_type: null,
    capabilities: { card_payments: 'active', transfers: 'active' },
    charges_enabled: true,
    country: info.country,
    created: info.created,
    default_currency: info.defaultCurrency,
    details_submitted: true,
    email: info.email,
    metadata: {},
    payouts_enabled: true,
    type: 'standard',
  };
}

/** The `application` object of Connect events (`account.application.deauthorized`). */
export function applicationJson(clientId: string, name: string | null): StripeJson<Stripe.Application> {
  return { id: clientId, object: 'application', name };
}
