/**
 * Stripe customers: listed by `created`, then changed and deleted ones from the
 * `customer.created/updated/deleted` events (see ../incremental.ts). A deleted customer's record is
 * soft-deleted.
 */
import { customerModel, defineSync } from '../../../src/scripts/index.ts';
import { runStripeSync, stripeCheckpoint } from '../incremental.ts';
import { type StripeCustomer, toCustomer } from '../models.ts';

export default defineSync({
  name: 'customers',
  description: 'Customers of the Stripe account; deleted ones are removed.',
  models: { customers: customerModel },
  frequency: '1h',
  checkpoint: stripeCheckpoint,
  exec: (ctx) =>
    runStripeSync<'customers', StripeCustomer>(ctx, {
      model: 'customers',
      path: '/v1/customers',
      // Exact types: `customer.*` would also match customer.subscription.*, customer.source.*…
      events: { types: ['customer.created', 'customer.updated', 'customer.deleted'] },
      toRecords: async (_ctx, customers) => customers.map(toCustomer),
      effectOf(event) {
        const object = event.data.object;
        if (object.object !== 'customer') return null;
        if (event.type === 'customer.deleted') return { id: object.id, kind: 'delete' };
        return { id: object.id, kind: 'save', object };
      },
    }),
});
