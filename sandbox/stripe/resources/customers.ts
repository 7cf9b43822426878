/** `/v1/customers`: create, retrieve, update, delete, list (by `email`, `created`). */
import { Collection } from '../collection.ts';
import { nowSeconds, type Scope } from '../context.ts';
import { invalidRequest, noSuch } from '../errors.ts';
import { previousAttributes, recordEvent } from '../events.ts';
import { base62, newId } from '../ids.ts';
import { listPage } from '../list.ts';
import { readAddress } from '../objects/address.ts';
import { type CustomerRecord, customerJson, deletedCustomerJson } from '../objects/customer.ts';
import { applyMetadata, type MetadataUpdate, type Params } from '../params.ts';
import type { Call, RouteTable } from '../routes.ts';
import { type SearchSpec, searchPage } from '../search.ts';
import type { AccountState } from '../state.ts';
import { find } from './lookup.ts';

export type CustomerFields = Partial<
  Pick<
    CustomerRecord,
    'email' | 'name' | 'description' | 'phone' | 'address' | 'metadata' | 'preferredLocales'
  >
>;

/** Adds a customer to an account without recording an event (seeding uses it directly). */
export function insertCustomer(
  account: AccountState,
  fields: CustomerFields,
  created: number,
): CustomerRecord {
  const customer: CustomerRecord = {
    id: newId('cus').slice(0, 18),
    created,
    seq: account.nextSeq(),
    email: fields.email ?? null,
    name: fields.name ?? null,
    description: fields.description ?? null,
    phone: fields.phone ?? null,
    address: fields.address ?? null,
    metadata: fields.metadata ?? {},
    invoicePrefix: base62(8).toUpperCase(),
    nextInvoiceSequence: 1,
    currency: null,
    preferredLocales: fields.preferredLocales ?? [],
    deleted: false,
  };
  account.customers.add(customer);
  account.customersByEmail.add(customer.email, customer);
  return customer;
}

/** Creates a customer and records `customer.created`. */
export function createCustomer(scope: Scope, fields: CustomerFields): CustomerRecord {
  const customer = insertCustomer(scope.account, fields, nowSeconds(scope));
  recordEvent(scope, 'customer.created', customerJson(customer, scope));
  return customer;
}

function readFields(params: Params): { fields: CustomerFields; metadata: MetadataUpdate | undefined } {
  const fields: CustomerFields = {};
  const email = params.nullableString('email');
  if (email !== undefined && email !== null && email !== '' && !EMAIL.test(email)) {
    throw invalidRequest(`Invalid email address: ${email}`, { code: 'email_invalid', param: 'email' });
  }
  if (email !== undefined) fields.email = email;
  const name = params.nullableString('name');
  if (name !== undefined) fields.name = name;
  const description = params.nullableString('description');
  if (description !== undefined) fields.description = description;
  const phone = params.nullableString('phone');
  if (phone !== undefined) fields.phone = phone;
  const address = readAddress(params);
  if (address !== undefined) fields.address = address;
  const locales = params.stringList('preferred_locales');
  if (locales !== undefined) fields.preferredLocales = locales;
  return { fields, metadata: params.metadata() };
}

function live(call: Call): CustomerRecord {
  const customer = find(call.scope.account.customers, call.path.id as string, 'customer');
  if (customer.deleted) throw noSuch('customer', customer.id);
  return customer;
}

export function customerRoutes(routes: RouteTable): void {
  routes.add('POST', '/v1/customers', ({ scope, params }) => {
    const { fields, metadata } = readFields(params);
    params.done();
    const customer = createCustomer(scope, { ...fields, metadata: applyMetadata({}, metadata) });
    return customerJson(customer, scope);
  });

  routes.add('GET', '/v1/customers/:id', ({ scope, params, path }) => {
    params.done();
    const customer = find(scope.account.customers, path.id as string, 'customer');
    return customer.deleted ? deletedCustomerJson(customer.id) : customerJson(customer, scope);
  });

  routes.add('POST', '/v1/customers/:id', (call) => {
    const { scope, params } = call;
    const customer = live(call);
    const { fields, metadata } = readFields(params);
    params.done();
    const before = customerJson(customer, scope);
    if (fields.email !== undefined && fields.email !== customer.email) {
      scope.account.customersByEmail.remove(customer.email, customer);
      scope.account.customersByEmail.add(fields.email, customer);
    }
    Object.assign(customer, fields);
    customer.metadata = applyMetadata(customer.metadata, metadata);
    const after = customerJson(customer, scope);
    const previous = previousAttributes(before, after);
    if (previous) recordEvent(scope, 'customer.updated', after, previous);
    return after;
  });

  routes.add('DELETE', '/v1/customers/:id', (call) => {
    const { scope, params } = call;
    params.done();
    const customer = live(call);
    const last = customerJson(customer, scope);
    customer.deleted = true;
    scope.account.customers.remove(customer, true);
    scope.account.customersByEmail.remove(customer.email, customer);
    recordEvent(scope, 'customer.deleted', last);
    return deletedCustomerJson(customer.id);
  });

  routes.add('GET', '/v1/customers/search', ({ scope, params }) =>
    searchPage(scope.account.customers.values(), params, CUSTOMER_SEARCH, (c) => customerJson(c, scope)),
  );

  routes.add('GET', '/v1/customers', ({ scope, params }) => {
    const email = params.string('email');
    const collection =
      email === undefined ? scope.account.customers : (scope.account.customersByEmail.get(email) ?? EMPTY);
    return listPage(collection, params, { url: '/v1/customers', noun: 'customer' }, (c) =>
      customerJson(c, scope),
    );
  });
}

const EMPTY = new Collection<CustomerRecord>();

/** An address Stripe would take: something@domain.tld, no spaces (Stripe answers `email_invalid` otherwise). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The fields Stripe's customer search supports. */
const CUSTOMER_SEARCH: SearchSpec<CustomerRecord> = {
  url: '/v1/customers/search',
  fields: {
    created: (c) => c.created,
    email: (c) => c.email,
    name: (c) => c.name,
    phone: (c) => c.phone,
  },
  metadata: (c) => c.metadata,
};
