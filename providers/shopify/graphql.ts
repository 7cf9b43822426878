/**
 * Admin GraphQL calls of the Shopify syncs and actions: every query is a POST of `{ query,
 * variables }` to `/graphql.json` of the pinned version (the proxy's base URL). The proxy paces
 * the calls by their cost and sends a THROTTLED query again; any other error in the answer's
 * `errors` is a failure here, with Shopify's code kept.
 */
import { PatchbayError, type ScriptContext, z } from '../../src/scripts/index.ts';

interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: Array<{ message?: string; extensions?: { code?: string } }> | string;
}

/** Runs one query or mutation and answers its `data`. */
export async function graphql<T>(
  ctx: Pick<ScriptContext, 'proxy' | 'signal'>,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const answer = await ctx.proxy.sendJson<GraphqlAnswer<T>>(
    'POST',
    '/graphql.json',
    { query, variables },
    // A query is read-only and a THROTTLED one was refused unprocessed: safe to send again.
    { maxAttempts: 6, signal: ctx.signal },
  );
  if (answer.errors !== undefined || answer.data === undefined || answer.data === null) {
    const errors = typeof answer.errors === 'string' ? [{ message: answer.errors }] : (answer.errors ?? []);
    const first = errors[0];
    throw new PatchbayError(
      'provider_error',
      `Shopify refused the query: ${first?.message ?? 'no data in the answer'}`,
      { details: { providerCode: first?.extensions?.code ?? null } },
    );
  }
  return answer.data;
}

/** A connection's page as the queries select it. */
export interface Connection<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Where an incremental listing stands: objects updated after `since` (null on the first run),
 * and the page to read next while a run is under way (so a crashed run resumes there).
 */
export const listingCheckpoint = z.object({
  since: z.string().nullable(),
  /** The run's listing in progress: its filter's bound and the next page's cursor. */
  current: z
    .object({ since: z.string().nullable(), startedAt: z.string(), after: z.string().nullable() })
    .nullable(),
});
export type ListingCheckpoint = z.output<typeof listingCheckpoint>;

// Shopify's updated_at is indexed with some delay after a write: a run starts its next bound a
// minute before it started, so an object written as the previous run began is read again.
const OVERLAP_MS = 60_000;

/**
 * Reads every page of `field` updated since the last successful run, oldest id first, handing
 * each page's nodes to `save`, and keeps the cursor in the checkpoint after each page.
 */
export async function listIncrementally<T>(
  ctx: Pick<ScriptContext, 'proxy' | 'signal'> & {
    checkpoint: {
      get(): Promise<ListingCheckpoint | null>;
      save(checkpoint: ListingCheckpoint): Promise<void>;
    };
  },
  field: string,
  query: string,
  pageSize: number,
  save: (nodes: T[]) => Promise<void>,
  now: () => Date = () => new Date(),
): Promise<void> {
  const stored = await ctx.checkpoint.get();
  const current = stored?.current ?? {
    since: stored?.since ?? null,
    startedAt: now().toISOString(),
    after: null,
  };
  let after = current.after;
  for (;;) {
    const data = await graphql<Record<string, Connection<T>>>(ctx, query, {
      first: pageSize,
      after,
      query: current.since === null ? null : `updated_at:>'${current.since}'`,
    });
    const page = data[field];
    if (!page) throw new PatchbayError('provider_error', `Shopify answered no ${field} connection`);
    await save(page.nodes);
    after = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage || after === null) break;
    await ctx.checkpoint.save({ since: stored?.since ?? null, current: { ...current, after } });
  }
  const next = new Date(Date.parse(current.startedAt) - OVERLAP_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await ctx.checkpoint.save({ since: next, current: null });
}
