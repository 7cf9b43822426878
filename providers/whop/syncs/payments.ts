/**
 * The company's payments from `GET /payments?company_id=…`: the whole list on the first run,
 * then only those Whop updated after the last successful run began (`updated_after`, with a
 * margin for clocks), so refunds and retries of older payments are picked up too.
 * `payment.*` webhooks update a payment at once in between.
 */
import { defineSync, paymentModel } from '../../../src/scripts/index.ts';
import { companyOf } from '../api.ts';
import { toPayment, type WhopPayment } from '../models.ts';

/** Whop's and our clocks may differ a little: an updated payment is read once more rather than missed. */
const MARGIN_MS = 10 * 60_000;

export default defineSync({
  name: 'payments',
  description: 'Payments of the Whop company, with refunds, updated incrementally.',
  models: { payments: paymentModel },
  frequency: '1h',
  async exec(ctx) {
    const last = ctx.run.lastSuccessAt;
    const query: Record<string, string> = { company_id: companyOf(ctx) };
    if (last !== null) query.updated_after = new Date(last.getTime() - MARGIN_MS).toISOString();
    for await (const page of ctx.paginate<WhopPayment>({ method: 'GET', path: '/payments', query })) {
      await ctx.records.save('payments', page.items.map(toPayment));
    }
  },
});
