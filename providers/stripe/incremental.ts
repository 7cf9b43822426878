/**
 * How every Stripe sync runs: a listing by `created`, then the Events API for what changed.
 *
 * - **First run, full runs, and after a long gap**: list every object (`GET /v1/<objects>`,
 *   `limit=100`, `starting_after` = the last id while `has_more`), newest first, saving and
 *   checkpointing each page, so a crashed run resumes at the page it stopped at. The time the
 *   listing starts is noted: changes made while it runs are read from there by the next run's
 *   event pass (which reads a few minutes earlier still, so a clock a little off Stripe's
 *   misses nothing).
 * - **Later runs**: list the objects created since the newest one seen (`created[gte]`, the same
 *   second again so none created in it is missed), then read the events since the last run
 *   (`GET /v1/events?types[]=…&created[gte]=…`): each changed object's newest state is applied
 *   (an event carries the object as it became), and a `*.deleted` event soft-deletes its record.
 *   Events are listed newest first, so only the first (newest) event of each object in a pass
 *   counts; the pass re-reads a few minutes before the newest event it applied last time, as an
 *   event can become listable a little after its timestamp, which re-applies nothing older
 *   (within a window an object's newest event always wins). An event pass is not checkpointed
 *   page by page: after a crash it starts again from the same point, applying the same states.
 * - **Stripe keeps events for 30 days** (https://docs.stripe.com/api/events): when the last
 *   completed pass is older than that (with a day of margin), the events in between may be gone,
 *   so the run lists everything again instead.
 *
 * Deletions: records of objects deleted at Stripe are soft-deleted when their `*.deleted` event
 * is read. The syncs do not use `trackDeletes`, which would make every run a full listing; a
 * deletion older than Stripe's 30 days of events (a connection not synced for a month) is not
 * seen by the relisting that follows.
 */
import { isPatchbayError, type PageCursor, type SyncContext, z } from '../../src/scripts/index.ts';
import type { StripeList } from './models.ts';

/** Stripe keeps events 30 days; a day less leaves room for clocks and a slow run. */
export const EVENT_RETENTION_MS = 29 * 24 * 60 * 60 * 1000;
/** How far before the newest applied event the next pass reads again, in seconds. */
export const EVENT_OVERLAP_SECONDS = 300;

const pageCursor = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cursor'), cursor: z.string().min(1) }),
  z.object({ type: z.literal('offset'), offset: z.number().int().min(0) }),
  z.object({ type: z.literal('page'), page: z.number().int().min(1) }),
  z.object({ type: z.literal('url'), url: z.string().min(1) }),
]);

/** Where a Stripe sync stands, across runs and crashes. Times are Unix seconds unless named ms. */
export const stripeCheckpoint = z.object({
  /** A listing in progress, or null between runs. */
  listing: z
    .object({
      /** Objects created at or after this; null: every object. */
      createdFrom: z.number().int().nullable(),
      /** The page to read next; null before the first page, or when `complete`. */
      next: pageCursor.nullable(),
      complete: z.boolean(),
      /** The newest `created` seen so far (the next high-water mark). */
      newest: z.number().int().nullable(),
      /** A full listing: where the next event pass starts (when the listing began, Unix seconds). */
      eventsFrom: z.number().int().nullable(),
    })
    .nullable(),
  /** The newest `created` of the objects listed so far. */
  highWater: z.number().int().nullable(),
  /** The `created` of the newest event applied (or when the last full listing began). */
  eventsFrom: z.number().int().nullable(),
  /** When the last run's listing and event pass completed, epoch ms. */
  passedAtMs: z.number().int().nullable(),
});

export type StripeCheckpoint = z.output<typeof stripeCheckpoint>;

/** A Stripe event as the Events API lists it. */
export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  data: { object: { id: string; object: string } & Record<string, unknown> };
}

/** What one event means for a sync's records; `id` is the record's id. */
export type EventEffect =
  /** Save this object (the event's `data.object`). */
  | { id: string; kind: 'save'; object: Record<string, unknown> }
  /** Read the record's object again (the event does not carry all the record needs). */
  | { id: string; kind: 'refetch' }
  /** The object is gone: soft-delete the record. */
  | { id: string; kind: 'delete' };

type Ctx<Model extends string> = SyncContext<
  Record<Model, z.ZodType<{ id: string } & Record<string, unknown>>>,
  StripeCheckpoint
>;

/** One Stripe sync: what it lists, which events it reads, and how objects become records. */
export interface StripeSyncSpec<Model extends string, O extends { id: string; created: number }> {
  model: Model;
  /** The list endpoint, e.g. `/v1/customers`. */
  path: string;
  /** Parameters every listing sends besides pagination (`status=all`, `expand[]=…`). */
  query?: Record<string, string | string[]>;
  /** The events to read: one wildcard `type` (`invoice.*`), or up to 20 exact `types`. */
  events: { type: string } | { types: readonly string[] };
  /** Records of one page of objects (it may read more: cut lists, prices). */
  toRecords(ctx: Ctx<Model>, objects: readonly O[], listing: ListingKind): Promise<object[]>;
  /** What an event means for the records; null: nothing (another kind of object). */
  effectOf(event: StripeEvent): EventEffect | null;
  /** The object of a record id, for `refetch` effects; null when Stripe no longer has it. */
  retrieve?(ctx: Ctx<Model>, id: string): Promise<O | null>;
}

/** Whether a listing is of everything or of the objects created since the last run. */
export type ListingKind = 'full' | 'new';

/** Runs one Stripe sync (see the module's comment). */
export async function runStripeSync<Model extends string, O extends { id: string; created: number }>(
  ctx: Ctx<Model>,
  spec: StripeSyncSpec<Model, O>,
): Promise<void> {
  let state: StripeCheckpoint = (await ctx.checkpoint.get()) ?? {
    listing: null,
    highWater: null,
    eventsFrom: null,
    passedAtMs: null,
  };
  if (state.listing === null) {
    const stale = state.passedAtMs === null || Date.now() - state.passedAtMs > EVENT_RETENTION_MS;
    const full = ctx.run.mode === 'full' || state.highWater === null || stale;
    if (full && state.passedAtMs !== null && ctx.run.mode !== 'full') {
      ctx.log.info(
        { passedAtMs: state.passedAtMs },
        'last Stripe pass older than the events kept: listing all',
      );
    }
    state = {
      ...state,
      listing: {
        createdFrom: full ? null : state.highWater,
        next: null,
        complete: false,
        newest: full ? null : state.highWater,
        // The listing's start on this machine's clock: the next pass reads the events from
        // there (less its overlap, which also absorbs a clock a few minutes off Stripe's). Asking
        // Stripe for its newest event instead cost a request per sync of a budget of 25 a second.
        eventsFrom: full ? Math.floor(Date.now() / 1000) : null,
      },
    };
    await ctx.checkpoint.save(state);
  }

  const listing = state.listing as NonNullable<StripeCheckpoint['listing']>;
  const kind: ListingKind = listing.createdFrom === null ? 'full' : 'new';
  if (!listing.complete) {
    ctx.log.info(
      { kind, createdFrom: listing.createdFrom, resuming: listing.next !== null },
      'listing Stripe objects',
    );
    let newest = listing.newest;
    for await (const page of ctx.paginate<O>({
      method: 'GET',
      path: spec.path,
      query: {
        ...spec.query,
        ...(listing.createdFrom === null ? {} : { 'created[gte]': String(listing.createdFrom) }),
      },
      startAt: listing.next,
      signal: ctx.signal,
    })) {
      await ctx.records.save(spec.model, (await spec.toRecords(ctx, page.items, kind)) as never[]);
      for (const item of page.items) {
        if (newest === null || item.created > newest) newest = item.created;
      }
      state = { ...state, listing: { ...listing, newest, next: page.next, complete: page.next === null } };
      await ctx.checkpoint.save(state);
    }
    state = { ...state, listing: { ...listing, newest, next: null, complete: true } };
  }

  const done = state.listing as NonNullable<StripeCheckpoint['listing']>;
  const eventsFrom = kind === 'full' ? done.eventsFrom : await applyEvents(ctx, spec, state.eventsFrom);
  state = { listing: null, highWater: done.newest, eventsFrom, passedAtMs: Date.now() };
  await ctx.checkpoint.save(state);
}

/**
 * Applies the events since `from` (all Stripe keeps, when null), newest first, each record's
 * newest event only. Returns where the next pass starts: the newest event's time.
 */
async function applyEvents<Model extends string, O extends { id: string; created: number }>(
  ctx: Ctx<Model>,
  spec: StripeSyncSpec<Model, O>,
  from: number | null,
): Promise<number | null> {
  const seen = new Set<string>();
  let newest = from;
  let events = 0;
  const since = from === null ? null : from - EVENT_OVERLAP_SECONDS;
  for await (const page of ctx.paginate<StripeEvent>({
    method: 'GET',
    path: '/v1/events',
    query: { ...eventFilter(spec), ...(since === null ? {} : { 'created[gte]': String(since) }) },
    signal: ctx.signal,
  })) {
    const saves: O[] = [];
    const deletes: string[] = [];
    for (const event of page.items) {
      events++;
      if (newest === null || event.created > newest) newest = event.created;
      const effect = spec.effectOf(event);
      if (effect === null || seen.has(effect.id)) continue;
      seen.add(effect.id);
      if (effect.kind === 'delete') {
        deletes.push(effect.id);
      } else if (effect.kind === 'save') {
        saves.push(effect.object as unknown as O);
      } else {
        if (!spec.retrieve) throw new Error(`${spec.model}: a refetch effect needs retrieve`);
        const object = await spec.retrieve(ctx, effect.id);
        if (object === null) deletes.push(effect.id);
        else saves.push(object);
      }
    }
    if (saves.length > 0) {
      await ctx.records.save(spec.model, (await spec.toRecords(ctx, saves, 'new')) as never[]);
    }
    if (deletes.length > 0) await ctx.records.delete(spec.model, deletes);
  }
  ctx.log.info({ events, objects: seen.size }, 'applied Stripe events');
  return newest;
}

function eventFilter(spec: { events: { type: string } | { types: readonly string[] } }) {
  return 'type' in spec.events ? { type: spec.events.type } : { 'types[]': [...spec.events.types] };
}

/** GET one object; null when Stripe answers 404 (deleted, or never there). */
export async function retrieveOrNull<T>(
  ctx: { proxy: Ctx<string>['proxy']; signal: AbortSignal },
  path: string,
  query?: Record<string, string | string[]>,
): Promise<T | null> {
  try {
    return await ctx.proxy.getJson<T>(path, { ...(query ? { query } : {}), signal: ctx.signal });
  } catch (error) {
    if (
      isPatchbayError(error, 'provider_error') &&
      (error.details as { status?: unknown } | undefined)?.status === 404
    )
      return null;
    throw error;
  }
}

/** Every item of a Stripe list, from its first page (`first`, e.g. embedded) on. */
export async function allOf<T extends { id: string }>(
  ctx: Ctx<string>,
  first: StripeList<T> | null | undefined,
  path: string,
  query: Record<string, string> = {},
): Promise<T[]> {
  if (first && !first.has_more) return first.data;
  const items: T[] = [];
  const startAt: PageCursor | null =
    first && first.data.length > 0 ? { type: 'cursor', cursor: (first.data.at(-1) as T).id } : null;
  if (first) items.push(...first.data);
  for await (const page of ctx.paginate<T>({ method: 'GET', path, query, startAt, signal: ctx.signal })) {
    items.push(...page.items);
  }
  return items;
}
