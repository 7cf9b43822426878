/** The environments every installation has, created on first start. */
export const ENVIRONMENT_NAMES = ['dev', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** One deployment context of the host product; every row of data belongs to exactly one. */
export interface Environment {
  id: string;
  name: string;
  /** Epoch ms. */
  createdAt: number;
}

/** An API key as it may be shown: never the secret, never its hash. */
export interface ApiKey {
  id: string;
  environmentId: string;
  name: string;
  /** The first characters of the secret (e.g. `pb_sk_dev_4Zq8`), to tell keys apart. */
  prefix: string;
  createdAt: number;
  /** Updated at most once a minute per key, so it is accurate to about a minute. */
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A key just created: the only moment its secret exists outside the caller's hands. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The whole secret key. Show it once; it cannot be read back. */
  secret: string;
}

/** Who a request acts as, once its key is authenticated. */
export interface AuthenticatedKey {
  environment: Environment;
  keyId: string;
}

export interface BootstrapResult {
  /** Every environment, in creation order. */
  environments: Environment[];
  /**
   * The first `dev` key, only when this call created it (the very first start); null on every
   * later start, and for all but one of several processes starting at once.
   */
  firstKey: CreatedApiKey | null;
}
