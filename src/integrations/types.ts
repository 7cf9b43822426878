/**
 * Integrations: a provider enabled in one environment with the host's own OAuth app (client id,
 * encrypted client secret), scopes and base-URL overrides. Implemented by service.ts.
 */
import type { ResolvedIntegration } from '../ports/connections.ts';

/** Settings stored with an integration (JSON column `settings`). */
export interface IntegrationSettings {
  /**
   * Base-URL overrides (see catalog applyOverrides): definition origin or `*` → base URL.
   * How the same definition runs against the sandbox.
   */
  baseUrls?: Record<string, string>;
  /**
   * The OAuth redirect URI registered at the provider when it is not Patchbay's own
   * `${publicUrl}/connect/oauth/callback` (a host that proxies the callback).
   */
  redirectUri?: string;
  /**
   * The syncs a new connection of this integration starts on its own (by name); the others wait
   * until they are started. Absent: the syncs whose definition says `autoStart` (the default).
   * A host that uses a provider for its actions only lists none: `[]`.
   */
  autoStartSyncs?: string[];
}

/** An integration as the API shows it: never a secret. */
export interface Integration {
  id: string;
  environmentId: string;
  key: string;
  provider: string;
  displayName: string | null;
  clientId: string | null;
  hasClientSecret: boolean;
  hasWebhookSecret: boolean;
  /** Null means the provider's default scopes. */
  scopes: string[] | null;
  settings: IntegrationSettings;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface CreateIntegrationInput {
  /** Unique in the environment; defaults to the provider name. */
  key?: string;
  provider: string;
  displayName?: string | null;
  clientId?: string | null;
  clientSecret?: string | null;
  webhookSecret?: string | null;
  scopes?: string[] | null;
  settings?: IntegrationSettings;
  enabled?: boolean;
}

/** Fields left out stay as they are; `null` clears. */
export type UpdateIntegrationInput = Partial<Omit<CreateIntegrationInput, 'provider' | 'key'>>;

export interface IntegrationsService {
  /** Throws `provider_not_found`, `conflict` (key taken), `validation_failed` (bad override, missing client credentials for an OAuth provider). */
  create(environmentId: string, input: CreateIntegrationInput): Promise<Integration>;
  list(environmentId: string): Promise<Integration[]>;
  /** By id (`int_…`) or key; `not_found` outside the environment. */
  get(environmentId: string, idOrKey: string): Promise<Integration>;
  update(environmentId: string, idOrKey: string, patch: UpdateIntegrationInput): Promise<Integration>;
  /** Refuses with `conflict` while connections exist (delete them first). */
  delete(environmentId: string, idOrKey: string): Promise<void>;
  /**
   * The environment an integration id belongs to, for the few entry points that only know the id
   * (a provider-initiated install). `not_found` for an unknown id.
   */
  environmentOf(integrationId: string): Promise<string>;
  /** Decrypted app credentials and the definition with overrides applied: for auth and proxy only. */
  resolve(environmentId: string, idOrKey: string): Promise<ResolvedIntegration>;
  /**
   * resolve() for an integration row already read (joined to a connection by the connections
   * service, so that loading a connection is one query). No query of its own.
   */
  resolveRow(row: ResolvableIntegrationRow): ResolvedIntegration;
  /** The decrypted integration-level webhook secret (null when none is set): for inbound verification only. */
  webhookSecret(environmentId: string, idOrKey: string): Promise<string | null>;
}

/** The integration columns resolveRow() reads. */
export interface ResolvableIntegrationRow {
  id: string;
  environment_id: string;
  key: string;
  provider: string;
  client_id: string | null;
  /** Vault envelope (purpose `client_secret`). */
  client_secret: string | null;
  scopes: string | null;
  settings: string;
}
