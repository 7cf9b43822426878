/**
 * The Whop emulator's company: its products, plans, memberships and payments, shaped as the
 * official SDK's types (`@whop/sdk`), with Whop's id prefixes (`prod_`, `plan_`, `mem_`, `pay_`,
 * `user_`). Prices are in the currency's major unit (`10.43`), as Whop's API has them.
 */
import { randomBytes } from 'node:crypto';
import type { PaymentListResponse } from '@whop/sdk/resources/payments';
import type { PlanListResponse } from '@whop/sdk/resources/plans';
import type { Membership, MembershipStatus, ProductListItem } from '@whop/sdk/resources/shared';

/** A Whop tag id: the prefix and 14 letters and digits (`mem_Xa12…`). */
export function whopId(prefix: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(14);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return `${prefix}_${id}`;
}

export interface WhopCompany {
  id: string;
  title: string;
  products: ProductListItem[];
  plans: PlanListResponse[];
  memberships: Membership[];
  payments: PaymentListResponse[];
}

export interface WhopSeed {
  /** Products to create (default 2); each gets a monthly plan. */
  products?: number;
  /** Memberships to create (default 3), spread over the plans, each with one paid payment. */
  memberships?: number;
}

const DAY = 86_400_000;

/** A company with `seed`'s products, monthly plans, active memberships and their first payments. */
export function seedCompany(companyId: string, seed: WhopSeed, now: Date): WhopCompany {
  const company: WhopCompany = {
    id: companyId,
    title: 'Acme Academy',
    products: [],
    plans: [],
    memberships: [],
    payments: [],
  };
  const at = now.toISOString();
  for (let index = 0; index < (seed.products ?? 2); index += 1) {
    const product: ProductListItem = {
      id: whopId('prod'),
      created_at: at,
      external_identifier: null,
      gallery_images: [],
      headline: `Course ${index + 1}`,
      member_count: 0,
      metadata: null,
      published_reviews_count: 0,
      route: `course-${index + 1}`,
      title: `Course ${index + 1}`,
      updated_at: at,
      verified: false,
      visibility: 'visible',
    };
    company.products.push(product);
    company.plans.push(newPlan(company, product, 29.99 + index * 20, at));
  }
  for (let index = 0; index < (seed.memberships ?? 3); index += 1) {
    const plan = company.plans[index % company.plans.length];
    if (!plan) throw new Error('memberships need at least one product');
    addMembership(company, plan.id, { email: `member${index + 1}@example.com` }, now);
  }
  return company;
}

function newPlan(
  company: WhopCompany,
  product: ProductListItem,
  price: number,
  at: string,
): PlanListResponse {
  return {
    id: whopId('plan'),
    account: { id: company.id, title: company.title },
    adaptive_pricing_enabled: false,
    billing_period: 30,
    created_at: at,
    currency: 'usd',
    description: null,
    expiration_days: null,
    initial_price: price,
    internal_notes: null,
    invoice: null,
    member_count: 0,
    metadata: null,
    payment_method_configuration: null,
    plan_type: 'renewal',
    product: { id: product.id, title: product.title },
    purchase_url: `https://whop.com/checkout/${product.route}`,
    release_method: 'buy_now',
    renewal_price: price,
    split_pay_required_payments: null,
    stock: null,
    three_ds_level: null,
    title: `${product.title} monthly`,
    trial_period_days: null,
    unlimited_stock: true,
    updated_at: at,
    visibility: 'visible',
  };
}

/** Someone buys `planId`: an active membership renewing in the plan's period, and its payment. */
export function addMembership(
  company: WhopCompany,
  planId: string,
  buyer: { email: string; name?: string },
  now: Date,
): Membership {
  const plan = company.plans.find((candidate) => candidate.id === planId);
  if (!plan) throw new Error(`no plan ${planId} in the Whop emulator`);
  const product = company.products.find((candidate) => candidate.id === (plan.product as { id: string }).id);
  if (!product) throw new Error(`plan ${planId} has no product`);
  const at = now.toISOString();
  const user = {
    id: whopId('user'),
    email: buyer.email,
    name: buyer.name ?? null,
    username: buyer.email.split('@')[0] ?? 'member',
  };
  const membership: Membership = {
    id: whopId('mem'),
    cancel_at_period_end: false,
    cancel_option: null,
    canceled_at: null,
    cancellation_reason: null,
    checkout_configuration_id: null,
    company: { id: company.id, title: company.title },
    created_at: at,
    currency: 'usd',
    custom_field_responses: [],
    joined_at: at,
    license_key: null,
    manage_url: `https://whop.com/orders/${product.route}/manage`,
    member: { id: whopId('mber') },
    metadata: null,
    payment_collection_paused: false,
    plan: { id: plan.id, metadata: null },
    product: { id: product.id, metadata: null, title: product.title },
    promo_code: null,
    renewal_period_end: new Date(now.getTime() + (plan.billing_period ?? 30) * DAY).toISOString(),
    renewal_period_start: at,
    status: 'active',
    updated_at: at,
    user,
  };
  company.memberships.push(membership);
  product.member_count += 1;
  company.payments.push(newPayment(company, membership, plan, now));
  return membership;
}

function newPayment(
  company: WhopCompany,
  membership: Membership,
  plan: PlanListResponse,
  now: Date,
): PaymentListResponse {
  const at = now.toISOString();
  return {
    id: whopId('pay'),
    amount_after_fees: Math.round(plan.initial_price * 0.97 * 100) / 100,
    application_fee: null,
    auto_refunded: false,
    billing_address: null,
    billing_reason: 'subscription_create',
    card_brand: 'visa',
    card_last4: '4242',
    checkout_configuration_id: null,
    company: { id: company.id, route: 'acme-academy', title: company.title },
    created_at: at,
    currency: 'usd',
    dispute_alerted_at: null,
    failure_message: null,
    last_payment_attempt: at,
    member: membership.member ? { id: membership.member.id, phone: null } : null,
    membership: { id: membership.id, phone_number: null, status: membership.status },
    metadata: null,
    next_payment_attempt: null,
    paid_at: at,
    payment_method: null,
    payment_method_type: 'card',
    payments_failed: 0,
    plan: { id: plan.id, internal_notes: null, metadata: null },
    product: { id: membership.product.id, metadata: null, route: 'course', title: membership.product.title },
    promo_code: null,
    refundable: true,
    refunded_amount: null,
    refunded_at: null,
    retryable: false,
    settlement_currency: 'usd',
    shipping_address: null,
    status: 'paid',
    substatus: 'succeeded',
    subtotal: plan.initial_price,
    tax_amount: 0,
    tax_behavior: null,
    total: plan.initial_price,
    updated_at: at,
    usd_total: plan.initial_price,
    user: membership.user,
    voidable: false,
  };
}

/** Moves a membership to `status`, as Whop does on cancellation, expiry or renewal. */
export function setMembershipStatus(membership: Membership, status: MembershipStatus, now: Date): void {
  membership.status = status;
  membership.updated_at = now.toISOString();
  if (status === 'canceled' && membership.canceled_at === null) membership.canceled_at = now.toISOString();
}
