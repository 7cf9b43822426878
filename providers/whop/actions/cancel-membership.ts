import { defineAction, z } from '../../../src/scripts/index.ts';
import { whopRequest } from '../api.ts';
import { toSubscription, type WhopMembership } from '../models.ts';

const output = z.object({
  id: z.string(),
  status: z.string().meta({ description: "The subscription status (the shared model's vocabulary)." }),
  providerStatus: z.string().meta({ description: "Whop's own membership status." }),
  cancelAtPeriodEnd: z.boolean(),
  currentPeriodEnd: z.string().nullable(),
});

/**
 * Cancels a membership with Whop's `POST /memberships/{id}/cancel`
 * (https://docs.whop.com/api-reference/memberships/cancel-membership): `at_period_end` (the
 * default) lets it run to its renewal date, `immediate` ends access now. Retrying is safe: a
 * membership Whop already shows as canceled (or already set to cancel at period end, for that
 * mode) is answered as it stands without a second call.
 */
export default defineAction({
  name: 'cancel-membership',
  description: 'Cancels a Whop membership now or at the end of its period.',
  input: z.object({
    membershipId: z.string().regex(/^mem_[A-Za-z0-9]+$/, 'a Whop membership id (mem_…)'),
    mode: z.enum(['at_period_end', 'immediate']).default('at_period_end'),
  }),
  output,
  resumable: true,
  async exec(ctx, input) {
    const path = `/memberships/${encodeURIComponent(input.membershipId)}`;
    let membership = await whopRequest<WhopMembership>(ctx, { method: 'GET', path });
    const done =
      membership.status === 'canceled' ||
      membership.status === 'expired' ||
      (input.mode === 'at_period_end' && membership.cancel_at_period_end);
    if (!done) {
      membership = await whopRequest<WhopMembership>(ctx, {
        method: 'POST',
        path: `${path}/cancel`,
        body: { cancellation_mode: input.mode },
      });
    }
    const record = toSubscription(membership);
    return {
      id: membership.id,
      status: record.status,
      providerStatus: membership.status,
      cancelAtPeriodEnd: membership.cancel_at_period_end,
      currentPeriodEnd: record.currentPeriodEnd,
    };
  },
});
