import { contract, type RequestOf, type ResponseOf } from '../../src/api/contract/index.ts';
import { PatchbayApiError } from './errors.ts';
import { callOperation, type Transport } from './transport.ts';

type Contract = typeof contract;

/** An environment, as the API returns it. */
export type Environment = ResponseOf<Contract['environment']['get']>;
/** An API key as listed: never its secret. */
export type ApiKey = ResponseOf<Contract['apiKeys']['revoke']>;
/** A key just created, with its secret: shown once. */
export type CreatedApiKey = ResponseOf<Contract['apiKeys']['create']>;
/** What creating a key takes. */
export type CreateApiKeyInput = RequestOf<Contract['apiKeys']['create']>['body'];

/** An integration as the API returns it: `hasClientSecret`, never the secret. */
export type Integration = ResponseOf<Contract['integrations']['get']>;
/** What creating an integration takes. */
export type CreateIntegrationInput = RequestOf<Contract['integrations']['create']>['body'];
/** What updating an integration takes: fields left out stay, `null` clears. */
export type UpdateIntegrationInput = RequestOf<Contract['integrations']['update']>['body'];
/** A connection as the API returns it: never its credentials. */
export type Connection = ResponseOf<Contract['connections']['get']>;
/** Filters and cursor of a connections list. */
export type ListConnectionsQuery = NonNullable<RequestOf<Contract['connections']['list']>['query']>;
/** The result of a connection test. */
export type ConnectionTestResult = ResponseOf<Contract['connections']['test']>;
/** What creating a connect session takes. */
export type CreateConnectSessionInput = RequestOf<Contract['connectSessions']['create']>['body'];
/** A connect session just created: its token is shown once. */
export type CreatedConnectSession = ResponseOf<Contract['connectSessions']['create']>;

/** What creating a hub session takes: the end user, your page's origin, display options. */
export type CreateHubSessionInput = RequestOf<Contract['hub']['createSession']>['body'];
/** A hub session just created: its token is shown once; `url` opens the hub page. */
export type CreatedHubSession = ResponseOf<Contract['hub']['createSession']>;
/** An end user's hub: tiles grouped by category, each in one state. */
export type Hub = ResponseOf<Contract['hub']['get']>;
/** One tile of the hub. */
export type HubTile = Hub['categories'][number]['tiles'][number];
/** The environment's hub settings. */
export type HubSettings = ResponseOf<Contract['hub']['getSettings']>;
/** What changing the hub settings takes: fields left out stay. */
export type UpdateHubSettingsInput = RequestOf<Contract['hub']['updateSettings']>['body'];

/** A webhook endpoint as the API returns it: never its secret. */
export type Endpoint = ResponseOf<Contract['endpoints']['get']>;
/** An endpoint just created, with its signing secret. */
export type CreatedEndpoint = ResponseOf<Contract['endpoints']['create']>;
/** What creating an endpoint takes. */
export type CreateEndpointInput = RequestOf<Contract['endpoints']['create']>['body'];
/** What updating an endpoint takes: fields left out stay, `null` clears. */
export type UpdateEndpointInput = RequestOf<Contract['endpoints']['update']>['body'];
/** Cursor of an endpoints list. */
export type ListEndpointsQuery = NonNullable<RequestOf<Contract['endpoints']['list']>['query']>;
/** Options of a secret rotation. */
export type RotateEndpointSecretInput = NonNullable<RequestOf<Contract['endpoints']['rotateSecret']>['body']>;

/** A message: one event for one endpoint, with its delivery state. */
export type Message = ResponseOf<Contract['messages']['get']>;
/** One delivery attempt of a message. */
export type Attempt = ResponseOf<Contract['messages']['attempts']>['data'][number];
/** What sending an event of your own takes. */
export type CreateMessageInput = RequestOf<Contract['messages']['create']>['body'];
/** Filters and cursor of a messages list. */
export type ListMessagesQuery = NonNullable<RequestOf<Contract['messages']['list']>['query']>;
/** An event of the environment (`connection.created`…). */
export type PatchbayEvent = ResponseOf<Contract['events']['list']>['data'][number];
/** Filters and cursor of an events list. */
export type ListEventsQuery = NonNullable<RequestOf<Contract['events']['list']>['query']>;
/** An event type of the catalog, with the JSON Schema of its data. */
export type EventTypeInfo = ResponseOf<Contract['events']['types']>['data'][number];
/** A verified provider webhook Patchbay received. */
export type InboundEvent = ResponseOf<Contract['inbound']['list']>['data'][number];
/** An inbound event with its headers and decoded payload. */
export type InboundEventDetail = ResponseOf<Contract['inbound']['get']>;
/** Filters and cursor of an inbound events list. */
export type ListInboundEventsQuery = NonNullable<RequestOf<Contract['inbound']['list']>['query']>;
/** The webhook subscriptions Patchbay registered at the provider for a connection, and their status. */
export type WebhookSubscriptions = ResponseOf<Contract['inbound']['webhookSubscriptions']>;

/** A sync of a connection's provider, with its schedule once it has one. */
export type ConnectionSync = ResponseOf<Contract['syncs']['list']>['data'][number];
/** A connection's schedule of one sync: frequency, pause, next run, last runs. */
export type SyncSchedule = ResponseOf<Contract['syncs']['update']>;
/** Options of a triggered run: `mode: 'full'` lists everything again. */
export type TriggerSyncOptions = NonNullable<RequestOf<Contract['syncs']['trigger']>['body']>;
/** A triggered run's id; `created: false` when one was already queued or running. */
export type TriggeredSyncRun = ResponseOf<Contract['syncs']['trigger']>;
/** What updating a connection's sync takes: `paused`, `frequency` (`15m`, `1h`…) or both. */
export type UpdateSyncInput = RequestOf<Contract['syncs']['update']>['body'];
/** One run of a sync, with its counts, duration and error. */
export type SyncRun = ResponseOf<Contract['syncs']['getRun']>;
/** Filters and cursor of a sync runs list. */
export type ListSyncRunsQuery = NonNullable<RequestOf<Contract['syncs']['listRuns']>['query']>;
/** How long `syncs.runs.wait()` polls, and how often. */
export interface WaitForRunOptions {
  /** Give up (`wait_timeout`) after this long. Default 5 minutes. */
  timeoutMs?: number;
  /** Pause between two reads of the run. Default 1 second. */
  intervalMs?: number;
}

/** A synced record: the provider's id, the model's fields (field mapping applied), its history. */
export type SyncedRecord = ResponseOf<Contract['records']['list']>['data'][number];
/** Connection, model, filters and cursor of a records list. */
export type ListRecordsQuery = NonNullable<RequestOf<Contract['records']['list']>['query']>;

/** One call of an action: its input, and its output or error once finished. */
export type ActionRun = ResponseOf<Contract['actions']['getRun']>;
/** The input of an action (before the connection's field mapping). */
export type ActionInput = RequestOf<Contract['actions']['run']>['body']['input'];
/** How an action runs: now (default) or queued, and its idempotency key. */
export interface RunActionOptions {
  /** Queue the run and answer at once (`status: 'queued'`); read it later with `actions.runs.get()`. */
  async?: boolean;
  /** Sent as the `Idempotency-Key` header: a repeat answers the first run without running it again. */
  idempotencyKey?: string;
}
/** Filters and cursor of an action runs list. */
export type ListActionRunsQuery = NonNullable<RequestOf<Contract['actions']['listRuns']>['query']>;

/** A connection's field mapping of one model or action. */
export type FieldMapping = ResponseOf<Contract['fieldMappings']['put']>;
/** `model`: record fields → host names, on read; `action`: host input → the action's fields. */
export type FieldMappingKind = FieldMapping['kind'];
/** What setting a mapping takes: its fields, and `keepUnmapped` (default true). */
export type FieldMappingInput = Omit<FieldMapping['mapping'], 'keepUnmapped'> & { keepUnmapped?: boolean };
/** Which cached provider answers to remove: all, or those under `pathPrefix`. */
export type InvalidateCacheOptions = NonNullable<RequestOf<Contract['cache']['invalidate']>['query']>;

/** An end user: your id, contact fields, metadata and plan. */
export type EndUser = ResponseOf<Contract['endUsers']['update']>;
/** An end user with their connections (each with `paused`) and this month's usage. */
export type EndUserDetail = ResponseOf<Contract['endUsers']['get']>;
/** An end user's usage and limits in one calendar month (UTC). */
export type EndUserUsage = ResponseOf<Contract['endUsers']['usage']>;
/** What creating or updating an end user takes: your `id` and the fields to set. */
export type UpsertEndUserInput = RequestOf<Contract['endUsers']['upsert']>['body'];
/** The fields of an end user to change; `planKey` moves them to another plan. */
export type UpdateEndUserInput = RequestOf<Contract['endUsers']['update']>['body'];
/** Search, plan filter and cursor of an end users list. */
export type ListEndUsersQuery = NonNullable<RequestOf<Contract['endUsers']['list']>['query']>;
/** A plan: its rules (integrations, limits, frequency, actions, features, quotas), rank and version. */
export type Plan = ResponseOf<Contract['plans']['get']>;
/** A plan as created: its key, name, rank and rules. */
export type PlanInput = RequestOf<Contract['plans']['create']>['body'];
/** One version of a plan in its audit trail. */
export type PlanVersion = ResponseOf<Contract['plans']['versions']>['data'][number];
/** A kind of notification email (`reauth_required`, `sync_failing`, …). */
export type NotificationKind = RequestOf<Contract['notifications']['getTemplate']>['params']['kind'];
/** An environment's notification settings, every default filled in. */
export type NotificationSettings = ResponseOf<Contract['notifications']['getSettings']>;
/** Notification settings as sent: fields left out take their default. */
export type NotificationSettingsInput = RequestOf<Contract['notifications']['putSettings']>['body'];
/** A kind's template (the override in use, or the default), with its variables. */
export type NotificationTemplate = ResponseOf<Contract['notifications']['getTemplate']>;
/** The three parts of a template: subject, text and HTML. */
export type NotificationTemplateParts = RequestOf<Contract['notifications']['putTemplate']>['body'];
/** A rendered preview. */
export type RenderedNotification = ResponseOf<Contract['notifications']['preview']>;
/** One entry of the notification log: an email sent or failed, or a suppression. */
export type Notification = ResponseOf<Contract['notifications']['get']>;
/** Filters and cursor of the notification log. */
export type ListNotificationsQuery = NonNullable<RequestOf<Contract['notifications']['list']>['query']>;
/** A plan-from-subscription rule: which billing integration's subscriptions set which plans. */
export type SubscriptionRule = ResponseOf<Contract['subscriptionRules']['get']>;
/** A plan-from-subscription rule as created: its key, integration, owner, entries and fallback. */
export type SubscriptionRuleInput = RequestOf<Contract['subscriptionRules']['create']>['body'];

/** Where the client connects and as whom. */
export interface PatchbayClientOptions {
  /** Where the Patchbay API is served, e.g. `http://127.0.0.1:4400`. */
  baseUrl: string;
  /** A secret key of the environment to act in (`pb_sk_…`). Keep it on your server. */
  apiKey: string;
  /** A fetch implementation; default: the global fetch. */
  fetch?: typeof globalThis.fetch;
}

/**
 * A typed client of the Patchbay API. Its methods and types come from the server's contract, so
 * they cannot drift from it. Every method throws PatchbayApiError on failure.
 *
 * @example
 * const patchbay = new PatchbayClient({ baseUrl: 'http://127.0.0.1:4400', apiKey: process.env.PATCHBAY_API_KEY! });
 * const { data: keys } = await patchbay.apiKeys.list();
 */
export class PatchbayClient {
  readonly #transport: Transport;

  /** The environment the client's key acts in. */
  readonly environment: {
    /** The environment of this client's API key. */
    get(): Promise<Environment>;
  };

  /** Secret API keys of the client's environment. */
  readonly apiKeys: {
    /** Every key of the environment, active and revoked, oldest first; never their secrets. */
    list(): Promise<ResponseOf<Contract['apiKeys']['list']>>;
    /** Creates a key. The answer's `secret` is shown this once: store it now. */
    create(input: CreateApiKeyInput): Promise<CreatedApiKey>;
    /** Revokes a key of the environment (`not_found` for another environment's). Idempotent. */
    revoke(id: string): Promise<ApiKey>;
  };

  /** Providers enabled in the client's environment, with your app credentials. */
  readonly integrations: {
    /** Every integration of the environment, oldest first. */
    list(): Promise<ResponseOf<Contract['integrations']['list']>>;
    /** Enables a provider. OAuth providers need `clientId` and `clientSecret`; secrets are never returned. */
    create(input: CreateIntegrationInput): Promise<Integration>;
    /** By id (`int_…`) or key. */
    get(idOrKey: string): Promise<Integration>;
    /** Changes fields given; `null` clears one. */
    update(idOrKey: string, patch: UpdateIntegrationInput): Promise<Integration>;
    /** Deletes an integration without connections (`conflict` while it has some). */
    delete(idOrKey: string): Promise<ResponseOf<Contract['integrations']['delete']>>;
  };

  /** End users' connected accounts in the client's environment. */
  readonly connections: {
    /** A page of connections, oldest first; pass `nextAfter` as `after` for the next page. */
    list(query?: ListConnectionsQuery): Promise<ResponseOf<Contract['connections']['list']>>;
    get(id: string): Promise<Connection>;
    /** Revokes at the provider where supported, then deletes the connection. */
    delete(id: string): Promise<ResponseOf<Contract['connections']['delete']>>;
    /** Shallow-merges values into the connection's metadata; `null` removes a key. */
    updateMetadata(id: string, patch: Record<string, unknown>): Promise<Connection>;
    /** Makes the provider's credential-test call with the connection's credentials. */
    test(id: string): Promise<ConnectionTestResult>;
  };

  /** Connect sessions: let an end user connect accounts from your app. Call from your server. */
  readonly connectSessions: {
    /**
     * Creates a session for one end user. Hand `token` (or `url`) to your front end, which opens
     * the connect page with it; the token is shown once and expires (default 30 minutes).
     */
    create(input: CreateConnectSessionInput): Promise<CreatedConnectSession>;
  };

  /** Webhook endpoints: where the environment's events are delivered, signed. */
  readonly endpoints: {
    /** A page of endpoints, oldest first; pass `nextAfter` as `after` for the next page. */
    list(query?: ListEndpointsQuery): Promise<ResponseOf<Contract['endpoints']['list']>>;
    /** Adds an endpoint; the answer holds its signing secret (`whsec_…`). */
    create(input: CreateEndpointInput): Promise<CreatedEndpoint>;
    get(id: string): Promise<Endpoint>;
    /** Changes fields given; `null` clears one; `headers` replaces the whole set. */
    update(id: string, patch: UpdateEndpointInput): Promise<Endpoint>;
    /** Deletes the endpoint with its messages and attempts. */
    delete(id: string): Promise<ResponseOf<Contract['endpoints']['delete']>>;
    /** The current signing secret, to configure your receiver. */
    getSecret(id: string): Promise<string>;
    /**
     * A new signing secret (given or generated); the old one keeps signing too for
     * `graceSeconds` (default 24 h). Returns the new secret.
     */
    rotateSecret(id: string, options?: RotateEndpointSecretInput): Promise<string>;
  };

  /** Messages: the delivery log of webhooks, events of your own, and replay. */
  readonly messages: {
    /**
     * Sends an event of your own type (e.g. `order.shipped`) to the matching endpoints; returns
     * the messages created. With `idempotencyKey`, a repeat returns the first call's messages.
     */
    create(input: CreateMessageInput): Promise<Message[]>;
    /** A page of messages, oldest first, filtered by endpoint, status, type and time range. */
    list(query?: ListMessagesQuery): Promise<ResponseOf<Contract['messages']['list']>>;
    get(id: string): Promise<Message>;
    /** A page of a message's delivery attempts, oldest first. */
    attempts(
      id: string,
      query?: { after?: string; limit?: number },
    ): Promise<ResponseOf<Contract['messages']['attempts']>>;
    /** Queues one manual attempt now (no retries follow it). */
    resend(id: string): Promise<void>;
    /** Resends, in the background, an endpoint's failed messages created since `since` (ISO 8601). */
    recover(endpointId: string, input: { since: string; limit?: number }): Promise<{ queued: number }>;
  };

  /** Patchbay's own events and their catalog. */
  readonly events: {
    /** A page of the environment's events, oldest first; `type` takes `prefix.*`. */
    list(query?: ListEventsQuery): Promise<ResponseOf<Contract['events']['list']>>;
    /** Every event type with a description and the JSON Schema of its data. */
    types(): Promise<EventTypeInfo[]>;
  };

  /** Provider webhooks received: the log, reprocessing, and the URLs and secrets to set them up. */
  readonly inbound: {
    /** A page of inbound events, oldest first, filtered by integration, status, type, connection and time. */
    list(query?: ListInboundEventsQuery): Promise<ResponseOf<Contract['inbound']['list']>>;
    /** One inbound event with its payload (JSON parsed, form fields, or text). */
    get(id: string): Promise<InboundEventDetail>;
    /** Routes and emits the event again, in the background. */
    reprocess(id: string): Promise<ResponseOf<Contract['inbound']['reprocess']>>;
    /** The intake URL to register at the provider for an integration. */
    webhookUrl(integrationIdOrKey: string): Promise<ResponseOf<Contract['inbound']['webhookUrl']>>;
    /** Issues a connection's own webhook URL (shown once; it holds a secret token). */
    issueWebhookToken(connectionId: string): Promise<{ connectionId: string; url: string }>;
    /** Sets (null: clears) the key that verifies a connection's webhooks. */
    setWebhookSecret(connectionId: string, secret: string | null): Promise<void>;
    /**
     * The webhook subscriptions Patchbay registered at the provider for a connection (for
     * providers it registers them for): status, ids, topics, the last error. Never a secret.
     */
    webhookSubscriptions(connectionId: string): Promise<WebhookSubscriptions>;
    /** Queues a check of them at the provider now (repairs a missing, disabled or changed one). */
    checkWebhookSubscriptions(connectionId: string): Promise<WebhookSubscriptions>;
  };

  /** Syncs of connections: schedules, manual runs and the run log. */
  readonly syncs: {
    /** The syncs of a connection's provider, with the connection's schedule of each. */
    list(connectionId: string): Promise<ResponseOf<Contract['syncs']['list']>>;
    /**
     * Queues a run now. At most one run of a sync per connection is pending or running: while one
     * is, its id comes back with `created: false`.
     */
    trigger(connectionId: string, sync: string, options?: TriggerSyncOptions): Promise<TriggeredSyncRun>;
    /** Pauses, resumes or changes the frequency of a connection's sync; returns the schedule. */
    update(connectionId: string, sync: string, patch: UpdateSyncInput): Promise<SyncSchedule>;
    /** The run log. */
    runs: {
      /** A page of runs, newest first, by connection, sync and status; pass `nextAfter` as `after` for the next page. */
      list(query?: ListSyncRunsQuery): Promise<ResponseOf<Contract['syncs']['listRuns']>>;
      /** One run (`run_…`) with its status, counts, duration and error. */
      get(id: string): Promise<SyncRun>;
      /**
       * Polls a run until it is neither `queued` nor `running`, and returns it: check `status`
       * (`succeeded`, `failed`, `cancelled`). Throws `wait_timeout` (with the last status in
       * `details`) when it is still going after `timeoutMs`; a negative `timeoutMs` or an
       * `intervalMs` below 1 throws a TypeError before any request.
       */
      wait(id: string, options?: WaitForRunOptions): Promise<SyncRun>;
    };
  };

  /** Records the syncs stored. */
  readonly records: {
    /**
     * A page of a connection's records of one model, oldest modification first; pass `nextAfter`
     * as `after` for the next page, or keep the last `modifiedAt` to poll with `modifiedSince`.
     */
    list(query: ListRecordsQuery): Promise<ResponseOf<Contract['records']['list']>>;
    /**
     * Every record matching `query`, one at a time, fetching pages as the loop asks for them.
     *
     * @example
     * for await (const sale of patchbay.records.iterate({ connectionId, model: 'sales' })) console.log(sale.id);
     */
    iterate(query: ListRecordsQuery): AsyncGenerator<SyncedRecord, void, undefined>;
  };

  /** Actions: one write at the provider, with validated input and output. */
  readonly actions: {
    /**
     * Runs an action on a connection and returns the finished run (failed or not), or with
     * `async: true` the queued run. Input that does not validate throws `action_input_invalid`
     * with the field paths in `details.issues`; nothing is run.
     */
    run(
      connectionId: string,
      action: string,
      input: ActionInput,
      options?: RunActionOptions,
    ): Promise<ActionRun>;
    /** The action run log. */
    runs: {
      /** One run (`act_…`): its status, then its output or error. */
      get(id: string): Promise<ActionRun>;
      /** A page of runs, oldest first, by connection, action and status; pass `nextAfter` as `after` for the next page. */
      list(query?: ListActionRunsQuery): Promise<ResponseOf<Contract['actions']['listRuns']>>;
    };
  };

  /** Field mappings: rename and convert a connection's record fields and action input. */
  readonly fieldMappings: {
    /** Creates or replaces the mapping of a model or an action (`mapping_invalid` naming what is wrong). */
    put(
      connectionId: string,
      kind: FieldMappingKind,
      target: string,
      mapping: FieldMappingInput,
    ): Promise<FieldMapping>;
    /** A connection's mappings, by kind, then target. */
    list(connectionId: string): Promise<ResponseOf<Contract['fieldMappings']['list']>>;
    /** Removes a mapping: the provider's own fields are used again. */
    delete(
      connectionId: string,
      kind: FieldMappingKind,
      target: string,
    ): Promise<ResponseOf<Contract['fieldMappings']['delete']>>;
  };

  /** Provider answers cached for scripts. */
  readonly cache: {
    /** Removes a connection's cached answers (all, or under `pathPrefix`, e.g. `/sales`, relative to the provider's base URL). */
    invalidate(
      connectionId: string,
      options?: InvalidateCacheOptions,
    ): Promise<ResponseOf<Contract['cache']['invalidate']>>;
  };

  /** End users: created on first use or here, with their plan, connections and usage. */
  readonly endUsers: {
    /** Creates the end user `input.id`, or updates the fields given. */
    upsert(input: UpsertEndUserInput): Promise<EndUser>;
    /** A page of end users by id; `search` matches the start of the id or email. */
    list(query?: ListEndUsersQuery): Promise<ResponseOf<Contract['endUsers']['list']>>;
    /** The end user with their connections and this month's usage. */
    get(id: string): Promise<EndUserDetail>;
    /**
     * Changes fields; `{ planKey }` moves the end user to another plan (connections over its
     * limits are paused, those within them resumed).
     *
     * @example
     * await patchbay.endUsers.update('user_42', { planKey: 'pro' });
     */
    update(id: string, patch: UpdateEndUserInput): Promise<EndUser>;
    /** Deletes the end user, their connections (revoked at the provider where it can be) and usage. */
    delete(id: string): Promise<ResponseOf<Contract['endUsers']['delete']>>;
    /** Usage and limits of a month (`YYYY-MM`, default the current one). */
    usage(id: string, period?: string): Promise<EndUserUsage>;
  };

  /** The integrations hub: an end user's page of integrations, and its tiles as data. */
  readonly hub: {
    /**
     * A hub session for one end user: open `url` (a redirect or a frame on `allowedOrigin`), or
     * pass `token` to `openHub()` in the browser.
     *
     * @example
     * const { token } = await patchbay.hub.createSession({
     *   endUser: { id: 'user_42' },
     *   allowedOrigin: 'https://app.example.com',
     *   options: { theme: { accent: '#0b6e4f' }, colorScheme: 'auto' },
     * });
     */
    createSession(input: CreateHubSessionInput): Promise<CreatedHubSession>;
    /** The end user's tiles, for hosts that draw their own hub. */
    get(endUserId: string): Promise<Hub>;
    getSettings(): Promise<HubSettings>;
    /** Lists providers as coming soon, or lets end users edit their field mappings in the hub. */
    updateSettings(patch: UpdateHubSettingsInput): Promise<HubSettings>;
  };

  /** Plans: what each end user may connect and use. */
  readonly plans: {
    /** Every plan, cheapest first. */
    list(): Promise<ResponseOf<Contract['plans']['list']>>;
    create(plan: PlanInput): Promise<Plan>;
    get(key: string): Promise<Plan>;
    /** Creates or replaces the plan `key` (a new version when anything changed). */
    put(key: string, plan: Omit<PlanInput, 'key'>): Promise<Plan>;
    /** Deletes a plan no end user is on. */
    delete(key: string): Promise<ResponseOf<Contract['plans']['delete']>>;
    /** The plan's versions, newest first: who changed what, when. */
    versions(key: string): Promise<ResponseOf<Contract['plans']['versions']>>;
  };

  /**
   * Notification emails (docs/notifications.md): settings, templates and their previews, and the
   * log of every send and suppression.
   *
   * @example
   * await patchbay.notifications.putSettings({ operators: ['ops@acme.example'], kinds: { sync_failing: { audience: 'both' } } });
   */
  readonly notifications: {
    getSettings(): Promise<NotificationSettings>;
    /** Replaces the settings; fields left out take their default. */
    putSettings(settings: NotificationSettingsInput): Promise<NotificationSettings>;
    /** Every kind with its template in use, its default and its variables. */
    listTemplates(): Promise<ResponseOf<Contract['notifications']['listTemplates']>>;
    getTemplate(kind: NotificationKind): Promise<NotificationTemplate>;
    /** Overrides a kind's template; unknown variables are refused (400 `validation_failed`). */
    putTemplate(kind: NotificationKind, template: NotificationTemplateParts): Promise<NotificationTemplate>;
    /** Removes the override: the default template is used again. */
    deleteTemplate(kind: NotificationKind): Promise<NotificationTemplate>;
    /** Renders a kind with sample values, `variables` over them, and `template` or the one in use. */
    preview(
      kind: NotificationKind,
      input?: { variables?: Record<string, unknown>; template?: NotificationTemplateParts },
    ): Promise<RenderedNotification>;
    /** The log, oldest first; pass `nextAfter` as `after` for the next page. */
    list(query?: ListNotificationsQuery): Promise<ResponseOf<Contract['notifications']['list']>>;
    get(id: string): Promise<Notification>;
  };
  /** Plan-from-subscription rules: end users' plans follow their subscriptions. */
  readonly subscriptionRules: {
    list(): Promise<ResponseOf<Contract['subscriptionRules']['list']>>;
    /** Creates a rule (the plans it names must exist); plans are derived again in the background. */
    create(rule: SubscriptionRuleInput): Promise<SubscriptionRule>;
    get(key: string): Promise<SubscriptionRule>;
    /** Creates or replaces the rule `key`. */
    put(key: string, rule: Omit<SubscriptionRuleInput, 'key'>): Promise<SubscriptionRule>;
    /** Deletes a rule; end users keep the plans it gave them. */
    delete(key: string): Promise<ResponseOf<Contract['subscriptionRules']['delete']>>;
  };

  /** Creates a client; it makes no request until a method is called. */
  constructor(options: PatchbayClientOptions) {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('PatchbayClient needs a fetch implementation');
    this.#transport = { baseUrl: options.baseUrl, apiKey: options.apiKey, fetch: fetchImpl };
    const transport = this.#transport;
    this.environment = {
      get: () => callOperation(transport, contract.environment.get, {}),
    };
    this.apiKeys = {
      list: () => callOperation(transport, contract.apiKeys.list, {}),
      create: (input) => callOperation(transport, contract.apiKeys.create, { body: input }),
      revoke: (id) => callOperation(transport, contract.apiKeys.revoke, { params: { id } }),
    };
    this.integrations = {
      list: () => callOperation(transport, contract.integrations.list, {}),
      create: (input) => callOperation(transport, contract.integrations.create, { body: input }),
      get: (idOrKey) => callOperation(transport, contract.integrations.get, { params: { idOrKey } }),
      update: (idOrKey, patch) =>
        callOperation(transport, contract.integrations.update, { params: { idOrKey }, body: patch }),
      delete: (idOrKey) => callOperation(transport, contract.integrations.delete, { params: { idOrKey } }),
    };
    this.connections = {
      list: (query) => callOperation(transport, contract.connections.list, query ? { query } : {}),
      get: (id) => callOperation(transport, contract.connections.get, { params: { id } }),
      delete: (id) => callOperation(transport, contract.connections.delete, { params: { id } }),
      updateMetadata: (id, patch) =>
        callOperation(transport, contract.connections.updateMetadata, { params: { id }, body: patch }),
      test: (id) => callOperation(transport, contract.connections.test, { params: { id } }),
    };
    this.endpoints = {
      list: (query) => callOperation(transport, contract.endpoints.list, query ? { query } : {}),
      create: (input) => callOperation(transport, contract.endpoints.create, { body: input }),
      get: (id) => callOperation(transport, contract.endpoints.get, { params: { id } }),
      update: (id, patch) =>
        callOperation(transport, contract.endpoints.update, { params: { id }, body: patch }),
      delete: (id) => callOperation(transport, contract.endpoints.delete, { params: { id } }),
      getSecret: async (id) =>
        (await callOperation(transport, contract.endpoints.getSecret, { params: { id } })).secret,
      rotateSecret: async (id, options) =>
        (
          await callOperation(transport, contract.endpoints.rotateSecret, {
            params: { id },
            body: options ?? {},
          })
        ).secret,
    };
    this.connectSessions = {
      create: (input) => callOperation(transport, contract.connectSessions.create, { body: input }),
    };
    this.messages = {
      create: async (input) =>
        (await callOperation(transport, contract.messages.create, { body: input })).data,
      list: (query) => callOperation(transport, contract.messages.list, query ? { query } : {}),
      get: (id) => callOperation(transport, contract.messages.get, { params: { id } }),
      attempts: (id, query) =>
        callOperation(transport, contract.messages.attempts, { params: { id }, ...(query ? { query } : {}) }),
      resend: async (id) => {
        await callOperation(transport, contract.messages.resend, { params: { id } });
      },
      recover: (endpointId, input) =>
        callOperation(transport, contract.messages.recover, { params: { id: endpointId }, body: input }),
    };
    this.events = {
      list: (query) => callOperation(transport, contract.events.list, query ? { query } : {}),
      types: async () => (await callOperation(transport, contract.events.types, {})).data,
    };
    this.inbound = {
      list: (query) => callOperation(transport, contract.inbound.list, query ? { query } : {}),
      get: (id) => callOperation(transport, contract.inbound.get, { params: { id } }),
      reprocess: (id) => callOperation(transport, contract.inbound.reprocess, { params: { id } }),
      webhookUrl: (idOrKey) => callOperation(transport, contract.inbound.webhookUrl, { params: { idOrKey } }),
      issueWebhookToken: (id) =>
        callOperation(transport, contract.inbound.issueWebhookToken, { params: { id } }),
      setWebhookSecret: async (id, secret) => {
        await callOperation(transport, contract.inbound.setWebhookSecret, {
          params: { id },
          body: { secret },
        });
      },
      webhookSubscriptions: (id) =>
        callOperation(transport, contract.inbound.webhookSubscriptions, { params: { id } }),
      checkWebhookSubscriptions: (id) =>
        callOperation(transport, contract.inbound.checkWebhookSubscriptions, { params: { id } }),
    };
    this.syncs = {
      list: (id) => callOperation(transport, contract.syncs.list, { params: { id } }),
      trigger: (id, sync, options) =>
        callOperation(transport, contract.syncs.trigger, { params: { id, sync }, body: options ?? {} }),
      update: (id, sync, patch) =>
        callOperation(transport, contract.syncs.update, { params: { id, sync }, body: patch }),
      runs: {
        list: (query) => callOperation(transport, contract.syncs.listRuns, query ? { query } : {}),
        get: (id) => callOperation(transport, contract.syncs.getRun, { params: { id } }),
        wait: (id, options) => waitForSyncRun(transport, id, options ?? {}),
      },
    };
    this.records = {
      list: (query) => callOperation(transport, contract.records.list, { query }),
      iterate: (query) => iterateRecords(transport, query),
    };
    this.actions = {
      run: (id, action, input, options = {}) =>
        callOperation(
          transport,
          contract.actions.run,
          {
            params: { id, action },
            body: { input, ...(options.async === undefined ? {} : { async: options.async }) },
          },
          options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey },
        ),
      runs: {
        get: (id) => callOperation(transport, contract.actions.getRun, { params: { id } }),
        list: (query) => callOperation(transport, contract.actions.listRuns, query ? { query } : {}),
      },
    };
    this.fieldMappings = {
      put: (id, kind, target, mapping) =>
        callOperation(transport, contract.fieldMappings.put, { params: { id, kind, target }, body: mapping }),
      list: (id) => callOperation(transport, contract.fieldMappings.list, { params: { id } }),
      delete: (id, kind, target) =>
        callOperation(transport, contract.fieldMappings.delete, { params: { id, kind, target } }),
    };
    this.endUsers = {
      upsert: (input) => callOperation(transport, contract.endUsers.upsert, { body: input }),
      list: (query = {}) => callOperation(transport, contract.endUsers.list, { query }),
      get: (id) => callOperation(transport, contract.endUsers.get, { params: { id } }),
      update: (id, patch) =>
        callOperation(transport, contract.endUsers.update, { params: { id }, body: patch }),
      delete: (id) => callOperation(transport, contract.endUsers.delete, { params: { id } }),
      usage: (id, period) =>
        callOperation(transport, contract.endUsers.usage, {
          params: { id },
          query: period === undefined ? {} : { period },
        }),
    };
    this.hub = {
      createSession: (input) => callOperation(transport, contract.hub.createSession, { body: input }),
      get: (endUserId) => callOperation(transport, contract.hub.get, { params: { id: endUserId } }),
      getSettings: () => callOperation(transport, contract.hub.getSettings, {}),
      updateSettings: (patch) => callOperation(transport, contract.hub.updateSettings, { body: patch }),
    };
    this.plans = {
      list: () => callOperation(transport, contract.plans.list, {}),
      create: (plan) => callOperation(transport, contract.plans.create, { body: plan }),
      get: (key) => callOperation(transport, contract.plans.get, { params: { key } }),
      put: (key, plan) => callOperation(transport, contract.plans.put, { params: { key }, body: plan }),
      delete: (key) => callOperation(transport, contract.plans.delete, { params: { key } }),
      versions: (key) => callOperation(transport, contract.plans.versions, { params: { key } }),
    };
    const notifications = contract.notifications;
    this.notifications = {
      getSettings: () => callOperation(transport, notifications.getSettings, {}),
      putSettings: (settings) => callOperation(transport, notifications.putSettings, { body: settings }),
      listTemplates: () => callOperation(transport, notifications.listTemplates, {}),
      getTemplate: (kind) => callOperation(transport, notifications.getTemplate, { params: { kind } }),
      putTemplate: (kind, template) =>
        callOperation(transport, notifications.putTemplate, { params: { kind }, body: template }),
      deleteTemplate: (kind) => callOperation(transport, notifications.deleteTemplate, { params: { kind } }),
      preview: (kind, input = {}) =>
        callOperation(transport, notifications.preview, { params: { kind }, body: input }),
      list: (query = {}) => callOperation(transport, notifications.list, { query }),
      get: (id) => callOperation(transport, notifications.get, { params: { id } }),
    };
    this.subscriptionRules = {
      list: () => callOperation(transport, contract.subscriptionRules.list, {}),
      create: (rule) => callOperation(transport, contract.subscriptionRules.create, { body: rule }),
      get: (key) => callOperation(transport, contract.subscriptionRules.get, { params: { key } }),
      put: (key, rule) =>
        callOperation(transport, contract.subscriptionRules.put, { params: { key }, body: rule }),
      delete: (key) => callOperation(transport, contract.subscriptionRules.delete, { params: { key } }),
    };
    this.cache = {
      invalidate: (id, options) =>
        callOperation(transport, contract.cache.invalidate, {
          params: { id },
          ...(options ? { query: options } : {}),
        }),
    };
  }
}

const DEFAULT_WAIT_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_WAIT_INTERVAL_MS = 1_000;

/** Reads a sync run until it has finished, pausing `intervalMs` between reads, for at most `timeoutMs`. */
async function waitForSyncRun(
  transport: Transport,
  id: string,
  options: WaitForRunOptions,
): Promise<SyncRun> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
  if (!(timeoutMs >= 0))
    throw new TypeError(`timeoutMs must be a number of milliseconds, 0 or more (got ${timeoutMs})`);
  // A pause of at least 1 ms: polling in a tight loop would only spend the key's rate limit.
  if (!(intervalMs >= 1))
    throw new TypeError(`intervalMs must be a number of milliseconds, 1 or more (got ${intervalMs})`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await callOperation(transport, contract.syncs.getRun, { params: { id } });
    if (run.status !== 'queued' && run.status !== 'running') return run;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new PatchbayApiError(
        'wait_timeout',
        `Sync run ${id} was still ${run.status} after ${timeoutMs} ms; wait longer or read it later with syncs.runs.get()`,
        { status: 0, details: { runId: id, status: run.status, timeoutMs } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
  }
}

/** Yields the records of `query` page by page, following `nextAfter` until the last page. */
async function* iterateRecords(
  transport: Transport,
  query: ListRecordsQuery,
): AsyncGenerator<SyncedRecord, void, undefined> {
  let after = query.after;
  for (;;) {
    const page = await callOperation(transport, contract.records.list, {
      query: after === undefined ? query : { ...query, after },
    });
    yield* page.data;
    if (page.nextAfter === null) return;
    // The same cursor again would loop forever; ending quietly would hide records.
    if (page.nextAfter === after) {
      throw new PatchbayApiError(
        'invalid_response',
        'The API answered the same records cursor twice; check the baseUrl',
        {
          status: 200,
          details: { after },
        },
      );
    }
    after = page.nextAfter;
  }
}
