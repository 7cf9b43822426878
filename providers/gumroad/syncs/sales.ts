/**
 * Gumroad sales, incrementally. GET /v2/sales lists newest first with `page_key` pagination and
 * filters by day (`after=YYYY-MM-DD` keeps sales on or after that day). The first run and full
 * runs list everything; later runs ask from the day before the last success, a day of overlap
 * that covers time zones and sales recorded late (refunds change old sales too, and those the
 * overlap does not reach are caught by full runs). Records are saved and the page checkpointed
 * after every page, so a crashed run resumes at the page it stopped at, with the same `after`.
 */
import { z } from 'zod';
import { defineSync, type PageCursor } from '../../../src/scripts/index.ts';
import { gumroadList, saleSchema, toSale } from '../models.ts';

const DAY_MS = 86_400_000;

const pageCursor = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cursor'), cursor: z.string().min(1) }),
  z.object({ type: z.literal('offset'), offset: z.number().int().min(0) }),
  z.object({ type: z.literal('page'), page: z.number().int().min(1) }),
  z.object({ type: z.literal('url'), url: z.string().min(1) }),
]);

/** Where a sales listing stands: the day it lists from (null: everything) and its next page. */
export const salesCheckpoint = z.object({
  after: z.iso.date().nullable(),
  pageCursor: pageCursor.nullable(),
});

/** The sales sync's checkpoint as stored. */
export type SalesCheckpoint = z.output<typeof salesCheckpoint>;

export default defineSync({
  name: 'sales',
  description: 'Sales of the Gumroad account: new ones, refunds and disputes.',
  models: { sales: saleSchema },
  frequency: '1h',
  // Resource-subscription pings (`resource_name`) that mean the sales listing changed.
  webhookEvents: ['sale', 'refund', 'dispute', 'dispute_won'],
  checkpoint: salesCheckpoint,
  async exec(ctx) {
    const saved = await ctx.checkpoint.get();
    const resuming = saved !== null && saved.pageCursor !== null;
    const after = resuming ? saved.after : listFrom(ctx.run.mode, ctx.run.lastSuccessAt);
    let cursor: PageCursor | null = resuming ? saved.pageCursor : null;
    ctx.log.info({ after, resuming }, 'listing Gumroad sales');

    for await (const page of ctx.paginate({
      method: 'GET',
      path: '/sales',
      ...(after === null ? {} : { query: { after } }),
      pagination: { resultsPath: 'sales' },
      startAt: cursor,
      signal: ctx.signal,
    })) {
      await ctx.records.save('sales', gumroadList(page.body, 'sales').map(toSale));
      cursor = page.next;
      await ctx.checkpoint.save({ after, pageCursor: cursor });
    }
    // The listing ended: the next run starts afresh from its own date.
    if (cursor !== null) await ctx.checkpoint.save({ after, pageCursor: null });
  },
});

/** The `after` day of a new listing: null (everything) on first and full runs. */
export function listFrom(mode: 'incremental' | 'full', lastSuccessAt: Date | null): string | null {
  if (mode === 'full' || lastSuccessAt === null) return null;
  return new Date(lastSuccessAt.getTime() - DAY_MS).toISOString().slice(0, 10);
}
