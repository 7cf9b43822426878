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
    this.connectSessions = {
      create: (input) => callOperation(transport, contract.connectSessions.create, { body: input }),
    };
  }
}
