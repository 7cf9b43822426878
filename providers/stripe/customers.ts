/**
 * Finding a host's buyer among a Stripe account's customers, or creating them: by a host key kept
 * in the customer's metadata (the buyer's platform handle), then by email, then a new customer
 * carrying that key. Search (`/v1/customers/search`) finds metadata; Stripe's search index lags
 * writes by up to a minute, so a customer created moments ago may be missed — the caller's
 * Idempotency-Key on the create covers that window (Stripe answers the first create again).
 */
import type { ScriptContext } from '../../src/scripts/index.ts';
import { pathOf, type StripeList, searchAll, searchString, stripeRequest } from './api.ts';

/** The customer fields the scripts read. */
export interface StripeCustomer {
  id: string;
  email: string | null;
  name: string | null;
  metadata: Record<string, string>;
}

/** Who to find: a metadata key and value, and/or an email. */
export interface CustomerLookup {
  key?: { name: string; value: string } | undefined;
  email?: string | undefined;
}

/** What a new customer gets. */
export interface NewCustomer {
  email?: string | undefined;
  name?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export type FoundCustomer = { customer: StripeCustomer; created: boolean; matchedBy: 'key' | 'email' | null };

/** The customers whose metadata `name` is one of `values`, by value (10 per search, Stripe's clause limit). */
export async function customersByKey(
  ctx: ScriptContext,
  name: string,
  values: readonly string[],
): Promise<Map<string, StripeCustomer>> {
  const found = new Map<string, StripeCustomer>();
  const unique = [...new Set(values)];
  for (let start = 0; start < unique.length; start += 10) {
    const clauses = unique
      .slice(start, start + 10)
      .map((value) => `metadata[${searchString(name)}]:${searchString(value)}`);
    const customers = await searchAll<StripeCustomer>(ctx, '/v1/customers/search', clauses.join(' OR '));
    // The oldest match wins when several carry the key, so the answer is stable across runs.
    for (const customer of customers.sort((a, b) => a.id.localeCompare(b.id))) {
      const value = customer.metadata[name];
      if (value !== undefined && !found.has(value)) found.set(value, customer);
    }
  }
  return found;
}

/** The oldest customer with this email, or null. */
export async function customerByEmail(ctx: ScriptContext, email: string): Promise<StripeCustomer | null> {
  const list = await stripeRequest<StripeList<StripeCustomer>>(ctx, {
    method: 'GET',
    path: '/v1/customers',
    params: { email, limit: 100 },
  });
  return list.data.at(-1) ?? null;
}

/** Creates a customer under `idempotencyKey`. */
export async function createCustomer(
  ctx: ScriptContext,
  fields: NewCustomer,
  idempotencyKey: string,
): Promise<StripeCustomer> {
  return stripeRequest<StripeCustomer>(ctx, {
    method: 'POST',
    path: '/v1/customers',
    params: { email: fields.email, name: fields.name, metadata: fields.metadata },
    idempotencyKey,
  });
}

/**
 * Finds the customer (by key, then email) or creates one with the key in its metadata. `known`
 * short-cuts the key search when the caller looked many keys up at once (customersByKey).
 */
export async function findOrCreateCustomer(
  ctx: ScriptContext,
  lookup: CustomerLookup,
  fields: NewCustomer,
  idempotencyKey: string,
  known?: ReadonlyMap<string, StripeCustomer>,
): Promise<FoundCustomer> {
  if (lookup.key) {
    const byKey = known ?? (await customersByKey(ctx, lookup.key.name, [lookup.key.value]));
    const customer = byKey.get(lookup.key.value);
    if (customer) return { customer, created: false, matchedBy: 'key' };
  }
  if (lookup.email) {
    const customer = await customerByEmail(ctx, lookup.email);
    if (customer) return { customer, created: false, matchedBy: 'email' };
  }
  const metadata = { ...fields.metadata, ...(lookup.key ? { [lookup.key.name]: lookup.key.value } : {}) };
  const customer = await createCustomer(
    ctx,
    { email: fields.email ?? lookup.email, name: fields.name, metadata },
    idempotencyKey,
  );
  return { customer, created: true, matchedBy: null };
}

/** Retrieves a customer by id. */
export function getCustomer(ctx: ScriptContext, id: string): Promise<StripeCustomer> {
  return stripeRequest<StripeCustomer>(ctx, { method: 'GET', path: pathOf`/v1/customers/${id}` });
}
