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
  }
}
