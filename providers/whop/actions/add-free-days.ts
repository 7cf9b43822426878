import { defineAction, z } from '../../../src/scripts/index.ts';
import { whopRequest } from '../api.ts';
import type { WhopMembership } from '../models.ts';

/**
 * Adds free days to a membership with Whop's `POST /memberships/{id}/add_free_days`
 * (https://docs.whop.com/api-reference/memberships/add-free-days-membership): its next renewal
 * moves that many days later. Whop takes no idempotency key and the call adds each time, so the
 * action is not resumable: a run lost after Whop answered is not repeated by the engine.
 */
export default defineAction({
  name: 'add-free-days',
  description: 'Pushes a Whop membership’s next renewal back by a number of free days.',
  input: z.object({
    membershipId: z.string().regex(/^mem_[A-Za-z0-9]+$/, 'a Whop membership id (mem_…)'),
    days: z.number().int().min(1).max(1000),
  }),
  output: z.object({ id: z.string(), currentPeriodEnd: z.string().nullable() }),
  async exec(ctx, input) {
    const membership = await whopRequest<WhopMembership>(ctx, {
      method: 'POST',
      path: `/memberships/${encodeURIComponent(input.membershipId)}/add_free_days`,
      body: { free_days: input.days },
    });
    return {
      id: membership.id,
      currentPeriodEnd:
        membership.renewal_period_end === null ? null : new Date(membership.renewal_period_end).toISOString(),
    };
  },
});
