import { defineAction, z } from '../../../src/scripts/index.ts';
import { runKey } from '../api.ts';
import { findOrCreateCustomer } from '../customers.ts';

/**
 * A Stripe customer for a host's buyer: the one whose metadata holds the host's key (e.g.
 * `handle` = the buyer's platform handle), else the oldest with the email, else a new one
 * carrying both. Repeating a call with the same idempotency key never creates a second customer.
 */
export default defineAction({
  name: 'find-or-create-customer',
  description:
    'Finds a Stripe customer by a key kept in its metadata (such as a platform handle) or by email, or creates it.',
  input: z
    .object({
      email: z.string().min(3).max(512).optional(),
      name: z.string().min(1).max(256).optional(),
      key: z
        .object({
          name: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'a metadata key: letters, digits, _ . -'),
          value: z.string().min(1).max(500),
        })
        .optional(),
      /** More metadata for a new customer. */
      metadata: z.record(z.string().max(40), z.string().max(500)).optional(),
    })
    .refine((input) => input.email !== undefined || input.key !== undefined, {
      message: 'give an email, a key, or both',
      path: ['email'],
    }),
  output: z.object({
    customerId: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    created: z.boolean(),
    matchedBy: z.enum(['key', 'email']).nullable(),
  }),
  async exec(ctx, input) {
    const found = await findOrCreateCustomer(
      ctx,
      { key: input.key, email: input.email },
      { email: input.email, name: input.name, metadata: input.metadata },
      await runKey(ctx, 'customer'),
    );
    return {
      customerId: found.customer.id,
      email: found.customer.email,
      name: found.customer.name,
      created: found.created,
      matchedBy: found.matchedBy,
    };
  },
});
