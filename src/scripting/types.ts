/**
 * The script contract: what a provider folder declares (syncs and actions, in TypeScript) and
 * what the runtime hands a script while it runs. Scripts never see credentials: every request
 * they make goes through the proxy, which adds auth, refreshes, rate-limits and retries.
 *
 * Layout of a provider folder:
 *   providers/<name>/definition.ts     the definition (src/catalog)
 *   providers/<name>/syncs/<sync>.ts   default export: defineSync({...})
 *   providers/<name>/actions/<a>.ts    default export: defineAction({...})
 *   providers/<name>/webhooks/handlers/<h>.ts    default export: defineWebhookHandler({...})
 *   providers/<name>/webhooks/subscriptions.ts   default export: defineWebhookSubscriptions({...})
 * The file name is the sync's, action's or handler's name; there is no index to keep. Webhook
 * handlers live one folder below `webhooks/` so that the folder's own modules (subscriptions.ts)
 * never read as handlers. A definition with `variantOf` and no scripts of its own runs those of
 * the provider it is a variant of. Scripts import these
 * types from the script API (src/scripts/index.ts, `patchbay/scripts`), and may be JavaScript
 * (`.js`, as the npm package ships them) as well as TypeScript.
 */
import type { z } from 'zod';
import type { Logger } from '../logger/index.ts';
import type { ProviderRequest, ProviderResponse } from '../proxy/types.ts';
import type { SyncRunMode } from '../store/index.ts';
import type { ScriptEvents } from './events.ts';
import type { CustomPaginator } from './pagination/types.ts';

/** A record as a model schema must produce it: a string `id` (the provider's id) and any fields. */
export type RecordShape = { id: string } & Record<string, unknown>;

/** Models of a sync: name → zod schema of one record. */
export type ModelSchemas = Record<string, z.ZodType<RecordShape>>;

/** Where the next page starts, as JSON: store it in a checkpoint to resume a listing there. */
export type PageCursor =
  | { type: 'cursor'; cursor: string }
  | { type: 'offset'; offset: number }
  | { type: 'page'; page: number }
  | { type: 'url'; url: string };

/** One page of a listing. */
export interface Page<T> {
  items: T[];
  /** Where the following page starts; null on the last page. */
  next: PageCursor | null;
  /** The page's parsed JSON body (for fields beside the items, such as a total). */
  body: unknown;
  /** 1-based position of the page in this listing. */
  number: number;
}

/** A listing request: a proxy request plus how to page through it. */
export interface PaginateRequest extends Omit<ProviderRequest, 'body'> {
  /** Overrides of the definition's pagination fields (`resultsPath`, `limit`, …) for this listing. */
  pagination?: Record<string, unknown>;
  /** Resume at this page (from a checkpoint) instead of the first. */
  startAt?: PageCursor | null;
  /** A JSON body, for listings that page in the body (`cursorIn: 'body'`). */
  body?: { json: Record<string, unknown> };
}

/** Options a script may add to a proxy call. */
export interface ScriptRequestOptions {
  /** Serve a GET from the response cache when a fresh copy is there, else cache the answer this long (5–60 min is typical). */
  cacheTtlSeconds?: number;
}

/** The proxy as scripts use it: a connection's requests with auth, refresh, limits and retries applied. */
export interface ScriptProxy {
  request(request: ProviderRequest & ScriptRequestOptions): Promise<ProviderResponse>;
  /** GET and parse JSON; a non-2xx answer throws `provider_error` with the status and a redacted excerpt. */
  getJson<T = unknown>(
    path: string,
    options?: Omit<ProviderRequest, 'method' | 'path'> & ScriptRequestOptions,
  ): Promise<T>;
  /** Sends a JSON body and parses the JSON answer; non-2xx throws `provider_error`. */
  sendJson<T = unknown>(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body: unknown,
    options?: Omit<ProviderRequest, 'method' | 'path' | 'body'>,
  ): Promise<T>;
}

/** The connection a script runs for: identities and non-secret configuration only. */
export interface ScriptConnection {
  id: string;
  environmentId: string;
  integrationId: string;
  provider: string;
  endUserId: string;
  /** Connection config (`shop`, `subdomain`, …). */
  config: Readonly<Record<string, string>>;
  /** Metadata from the provider and the host. */
  metadata: Readonly<Record<string, unknown>>;
}

/** What every script gets. */
export interface ScriptContext {
  connection: ScriptConnection;
  proxy: ScriptProxy;
  /** Pages through a listing the way the provider's definition says (cursor, link header, offset, page, next URL). */
  paginate<T = unknown>(request: PaginateRequest): AsyncIterable<Page<T>>;
  log: Logger;
  /** Fires when the run is cancelled or times out; pass it on to long waits. */
  signal: AbortSignal;
}

/**
 * Saves and deletes a run's records. Writes are batched and queued: a call returns once the batch
 * before the current one has committed (the script works on the next page meanwhile).
 */
export interface RecordsWriter<Models extends ModelSchemas> {
  /** Validates each record against its model and upserts it; unchanged ones (same hash) are counted, not written. */
  save<M extends keyof Models & string>(model: M, records: readonly z.input<Models[M]>[]): Promise<void>;
  /** Soft-deletes records by provider id. */
  delete<M extends keyof Models & string>(model: M, ids: readonly string[]): Promise<void>;
}

export interface CheckpointStore<Checkpoint> {
  /** The checkpoint of the last page this sync finished (across runs and crashes), or null. */
  get(): Promise<Checkpoint | null>;
  /** Queues the records saved so far and this checkpoint for one transaction (see RecordsWriter). */
  save(checkpoint: Checkpoint): Promise<void>;
}

export interface SyncRunInfo {
  id: string;
  mode: SyncRunMode;
  /** 1 on the first attempt; higher when resuming after a crash or a retried failure. */
  attempt: number;
  /** When this sync last succeeded for the connection, or null. */
  lastSuccessAt: Date | null;
}

/** What a sync's `exec` gets. */
export interface SyncContext<Models extends ModelSchemas, Checkpoint> extends ScriptContext {
  run: SyncRunInfo;
  records: RecordsWriter<Models>;
  checkpoint: CheckpointStore<Checkpoint>;
}

/** Report import (CSV / XLSX upload): how rows become records. */
export interface SyncImport<Models extends ModelSchemas, Row extends z.ZodType> {
  /** File kinds accepted. */
  formats: readonly ('csv' | 'xlsx')[];
  /** One row (keys are the header cells, trimmed); a row that fails is reported with its line number. */
  row: Row;
  /** Map valid rows to records (several rows may build one record; return them in order). */
  toRecords(
    rows: readonly z.output<Row>[],
  ): Array<{ model: keyof Models & string; record: z.input<Models[keyof Models]> }>;
  /** XLSX: the sheet to read (name or 1-based index); default the first. */
  sheet?: string | number;
  /** Lines before the header row to skip (report titles). Default 0. */
  skipLines?: number;
}

/** A sync as declared by a provider script. */
export interface SyncDefinition<
  Models extends ModelSchemas = ModelSchemas,
  CheckpointSchema extends z.ZodType = z.ZodType,
  Row extends z.ZodType = z.ZodType,
> {
  /** Equal to the file name. */
  name: string;
  description: string;
  models: Models;
  /** Default frequency: `30s`…, `15m`, `1h`, `1d` (at least one minute, except in tests). */
  frequency: string;
  /** Whether new connections run it on schedule without being enabled first. Default true. */
  autoStart?: boolean;
  checkpoint?: CheckpointSchema;
  /**
   * Full syncs list everything: records of these models not seen in a full run are soft-deleted.
   * Incremental syncs (the default) only add and update (and delete explicitly).
   */
  trackDeletes?: boolean;
  /** Run timeout. Default 30 minutes. */
  timeoutMs?: number;
  /**
   * Provider webhook event types (as the inbound layer reads them, e.g. Gumroad's `sale`) that
   * start an incremental run of this sync for the connection the webhook was routed to.
   */
  webhookEvents?: readonly string[];
  /** Present when this sync ingests uploaded reports instead of (or beside) calling the API. */
  import?: SyncImport<Models, Row>;
  exec?(context: SyncContext<Models, z.output<CheckpointSchema>>): Promise<void>;
}

/** What an action's `exec` gets. */
export interface ActionContext extends ScriptContext {
  /** The action run's id (log it; providers' idempotency keys can be derived from it). */
  runId: string;
  /** The host's idempotency key, when it gave one: pass it to providers that accept one. */
  idempotencyKey: string | null;
  /** Emits events (`invoice.created`, `message.fallback_required`…) written with the run's outcome. */
  events: ScriptEvents;
  /**
   * Reports how far the run has come (`done` of `total` units, e.g. buyers invoiced), shown on
   * the run while it is `running`. Cheap to call often: the engine keeps the latest report and
   * stores it at most about once a second, and with the run's outcome.
   */
  progress(update: ActionProgressUpdate): void;
}

/** A progress report: `done` units of `total` (when the total is known). */
export interface ActionProgressUpdate {
  done: number;
  total?: number;
}

/** An action as declared by a provider script. */
export interface ActionDefinition<Input extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: Input;
  output: Output;
  /** Time limit of one call. Default 60 s. */
  timeoutMs?: number;
  /**
   * The script is safe to execute again from the start: every write it makes is idempotent at
   * the provider (idempotency keys derived from the run, a lookup before each create). A queued
   * (async) run whose worker stopped mid-call is then executed again by its job (twice in all at
   * most; the run's `attempt` counts the executions) instead of failing with `action_interrupted`. Default
   * false: at most one call.
   */
  resumable?: boolean;
  exec(context: ActionContext, input: z.output<Input>): Promise<z.input<Output>>;
}

/** The connection a webhook handler runs for, and what a handler may say of it. */
export interface WebhookHandlerConnection extends ScriptConnection {
  /**
   * The provider reports that the account revoked Patchbay's access (Stripe's
   * `account.application.deauthorized`): the connection becomes `disconnected` and
   * `connection.reauth_required` is emitted, in the handler's transaction. The end user connects
   * again to restore it. Calling it twice is harmless.
   */
  revoked(reason: { code: string; message: string }): Promise<void>;
}

/** The inbound event a handler processes. */
export interface WebhookHandlerEvent {
  /** Patchbay's id of the inbound event (`in_…`). */
  id: string;
  /** The provider's event type as received (`invoice.paid`); null for providers that send none. */
  type: string | null;
  /** The parsed body of the event (for a batch delivery, its item). */
  payload: unknown;
  /** When Patchbay received it (epoch ms). */
  receivedAt: number;
}

/**
 * A handler's records: read and written in the transaction that marks the inbound event
 * processed. Saves are validated and change-detected like a sync's (same model names, same
 * store), so a record a handler updates is the record the sync wrote, and the records API shows
 * it the same way.
 */
export interface WebhookRecords<Models extends ModelSchemas> {
  /** The current record of `model` with this provider id, or null when there is none (or it is deleted). */
  get<M extends keyof Models & string>(model: M, id: string): Promise<z.output<Models[M]> | null>;
  /** Validates and upserts; an unchanged record (same hash) is not written and not counted. */
  save<M extends keyof Models & string>(model: M, records: readonly z.input<Models[M]>[]): Promise<void>;
  /** Soft-deletes records by provider id. */
  delete<M extends keyof Models & string>(model: M, ids: readonly string[]): Promise<void>;
}

/**
 * What a webhook handler's `handle` gets. There is no proxy: the handler runs inside a database
 * transaction, and a provider call there would hold it (and, on SQLite, every other writer) for
 * as long as the provider takes. A handler that needs more than the event carries starts a sync
 * instead (`webhookEvents` of a sync).
 */
export interface WebhookHandlerContext<Models extends ModelSchemas> {
  connection: WebhookHandlerConnection;
  log: Logger;
  event: WebhookHandlerEvent;
  records: WebhookRecords<Models>;
  /** Emits events (`invoice.paid`, `message.received`…), written in the handler's transaction. */
  events: ScriptEvents;
}

/**
 * A webhook handler (`webhooks/handlers/<name>.ts`): what an inbound event of one of its
 * `events` does to the records and events of the connection it was routed to, at once, without
 * a sync. It runs in the transaction that marks the inbound event processed, so its writes and
 * events commit with it or not at all; a handler that throws fails that transaction and the
 * event is retried like any inbound processing failure. Inbound events arrive late, twice and
 * out of order: a handler compares with the stored record before it moves it.
 */
export interface WebhookHandlerDefinition<Models extends ModelSchemas = ModelSchemas> {
  /** Equal to the file name. */
  name: string;
  description: string;
  /**
   * The provider event types it handles, as the inbound layer reads them (`invoice.paid`); `*`
   * handles every event of the provider, including those without a type (Meta's entries).
   */
  events: readonly string[];
  /** The models it reads and writes: name → the same schema the provider's syncs use. */
  models: Models;
  handle(context: WebhookHandlerContext<Models>, event: WebhookHandlerEvent): Promise<void>;
}

/** What `webhooks/subscriptions.ts` gets: the same context as syncs and actions. */
export type WebhookSubscriptionsContext = ScriptContext;

/** Where the provider should deliver and which of its event types. */
export interface WebhookSubscriptionTarget {
  /** The connection's intake URL (it may carry a secret token: never log it). */
  url: string;
  /** The provider's event types (topics) this subscription covers. */
  topics: readonly string[];
}

/** A registration to make. */
export interface WebhookSubscriptionRequest extends WebhookSubscriptionTarget {
  /**
   * Stable across retries of the same registration and new for each new one: send it as the
   * provider's idempotency key where it has one, so a retry after a lost answer (or a crash
   * before the answer was stored) gets the same subscription back instead of a second one.
   */
  idempotencyKey: string;
}

/** What a registration created at the provider. */
export interface RegisteredWebhookSubscription {
  /** The provider's id of the subscription (what `list` reports and `remove` takes). */
  id: string;
  /**
   * The signing secret the provider generated for it (Stripe's `whsec_…`), when it returns one:
   * the engine keeps it encrypted and verifies this connection's deliveries with it.
   */
  secret?: string | null;
  /** The topics the provider actually enabled, when they may differ from those asked. */
  topics?: readonly string[];
}

/** A subscription as the provider lists it. */
export interface ListedWebhookSubscription {
  id: string;
  url: string;
  topics: readonly string[];
  /** False when the provider disabled it (after failed deliveries): the engine repairs it. */
  enabled?: boolean;
}

/**
 * How a provider's webhooks are registered through its API, per connection
 * (`providers/<name>/webhooks/subscriptions.ts`). The engine decides when: it registers when a
 * connection is created or reconnected, removes when it is deleted, and a scheduled check lists
 * the provider's subscriptions and repairs what drifted (missing, wrong URL or topics, disabled).
 * Calls go through `ctx.proxy` like any script's.
 */
export interface WebhookSubscriptionsDefinition {
  /** The provider's event types every connection needs. */
  topics: readonly string[];
  /**
   * `all` (the default): one subscription carries every topic (Stripe's `enabled_events`);
   * `one`: one subscription per topic (Shopify's webhooks).
   */
  topicsPerSubscription?: 'all' | 'one';
  /**
   * Whether a connection gets subscriptions of its own; default yes. False for connections whose
   * events already reach Patchbay another way (Stripe Connect's one platform endpoint).
   */
  appliesTo?(connection: ScriptConnection): boolean;
  register(
    context: WebhookSubscriptionsContext,
    request: WebhookSubscriptionRequest,
  ): Promise<RegisteredWebhookSubscription>;
  /** Every subscription of the connection's account (the engine picks out its own). */
  list(context: WebhookSubscriptionsContext): Promise<readonly ListedWebhookSubscription[]>;
  /**
   * Points an existing subscription at `target` and enables it. Optional: without it a drifted
   * subscription is removed and registered again (which gives it a new secret).
   */
  update?(context: WebhookSubscriptionsContext, id: string, target: WebhookSubscriptionTarget): Promise<void>;
  /**
   * Deletes one. A provider answer of 404 or 410 (a `provider_error` with that status) counts as
   * done: the subscription is already gone.
   */
  remove(context: WebhookSubscriptionsContext, id: string): Promise<void>;
}

/** A provider's scripts, as the loader finds them. */
export interface ProviderScripts {
  provider: string;
  syncs: ReadonlyMap<string, SyncDefinition>;
  actions: ReadonlyMap<string, ActionDefinition>;
  /** Webhook handlers (`webhooks/handlers/<name>.ts`), by name. */
  webhookHandlers: ReadonlyMap<string, WebhookHandlerDefinition>;
  /** The provider's own pagination styles (`paginators/<name>.ts`), by name. */
  paginators: ReadonlyMap<string, CustomPaginator<unknown>>;
  /** `webhooks/subscriptions.ts`, when the engine manages the provider's webhooks per connection. */
  webhookSubscriptions: WebhookSubscriptionsDefinition | null;
}

/** provider name → its scripts (providers without scripts are absent). */
export type ScriptRegistry = ReadonlyMap<string, ProviderScripts>;

export type { CachedResponse, CacheScope, ResponseCacheLike } from '../proxy/types.ts';
