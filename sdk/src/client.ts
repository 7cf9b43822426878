import { contract, type RequestOf, type ResponseOf } from '../../src/api/contract/index.ts';
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
    };
  }
}
