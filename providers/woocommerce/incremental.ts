/**
 * Incremental listings of WooCommerce products and orders: `modified_after` (with
 * `dates_are_gmt=true`, so the bound is UTC whatever the site's zone) from the newest
 * `date_modified_gmt` the last run saw, less a second (the filter is strict and WooCommerce's
 * dates have whole seconds: an object changed in that same second after the read is not lost),
 * ordered by id so that pages stay put while the store changes. The high-water mark comes from
 * the store's own clock, never ours. A `full` run lists everything.
 */
import { type SyncContext, z } from '../../src/scripts/index.ts';
import { gmtInstant } from './models.ts';

export const wooCheckpoint = z.object({
  /** The newest `date_modified_gmt` seen, as an ISO instant; null before the first run finished. */
  modifiedAfter: z.string().nullable(),
});
export type WooCheckpoint = z.output<typeof wooCheckpoint>;

/** `2026-01-02T03:04:05`: the form `modified_after` takes. */
function wooDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/**
 * Lists `path` (all of it, or what changed since the checkpoint), hands each page to `save`, and
 * moves the checkpoint to the newest modification seen once the listing is done.
 */
export async function listChanged<T extends { date_modified_gmt: string | null }>(
  // biome-ignore lint/suspicious/noExplicitAny: the models of the calling sync
  ctx: SyncContext<any, WooCheckpoint>,
  path: string,
  save: (items: T[]) => Promise<void>,
): Promise<void> {
  const state = ctx.run.mode === 'full' ? null : await ctx.checkpoint.get();
  const since = state?.modifiedAfter ? Date.parse(state.modifiedAfter) - 1000 : null;
  let newest = since === null ? null : since + 1000;
  const query: Record<string, string> = { orderby: 'id', order: 'asc' };
  if (since !== null) Object.assign(query, { modified_after: wooDate(since), dates_are_gmt: 'true' });
  for await (const page of ctx.paginate<T>({ method: 'GET', path, query, signal: ctx.signal })) {
    await save(page.items);
    for (const item of page.items) {
      const at = gmtInstant(item.date_modified_gmt);
      if (at !== null && (newest === null || Date.parse(at) > newest)) newest = Date.parse(at);
    }
  }
  await ctx.checkpoint.save({ modifiedAfter: newest === null ? null : new Date(newest).toISOString() });
}
