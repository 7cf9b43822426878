/**
 * The accounts the emulator knows and the keys that reach them. A platform account has a secret
 * key (`sk_test_…`), a restricted key (`rk_test_…`) and a Connect client id (`ca_…`). Connected
 * accounts come from Connect OAuth (or `control.connectAccount`); each connection gives the
 * platform an access token (a secret key of the connected account, as Stripe's `access_token`
 * is) and a refresh token, and lets the platform's own key act on the account with
 * `Stripe-Account`. Deauthorizing ends all of that.
 */
import { base62, newId } from './ids.ts';
import type { AccountInfo } from './objects/account.ts';
import { AccountState } from './state.ts';

/** A platform account to create (every field has a default). */
export interface PlatformOptions {
  id?: string;
  secretKey?: string;
  restrictedKey?: string;
  publishableKey?: string;
  /** Connect client id (`ca_…`). */
  clientId?: string;
  /** Connect OAuth redirect URIs; empty (the default) accepts any http(s) URI. */
  redirectUris?: string[];
  name?: string;
  email?: string;
  country?: string;
  defaultCurrency?: string;
}

export interface PlatformAccount {
  readonly id: string;
  readonly secretKey: string;
  readonly restrictedKey: string;
  readonly publishableKey: string;
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly name: string | null;
}

/** Who a key belongs to. `platform` is set for OAuth access tokens (the platform they were issued to). */
export interface KeyOwner {
  readonly accountId: string;
  readonly kind: 'secret' | 'restricted' | 'oauth';
  readonly platformId?: string;
  revoked: boolean;
}

export interface Connection {
  readonly platformId: string;
  readonly accountId: string;
  accessToken: string;
  readonly refreshToken: string;
  readonly publishableKey: string;
  scope: 'read_write' | 'read_only';
  active: boolean;
}

export interface ConnectedAccountOptions {
  email?: string | null;
  name?: string | null;
  country?: string;
  url?: string | null;
}

export class AccountRegistry {
  readonly #accounts = new Map<string, AccountState>();
  readonly #keys = new Map<string, KeyOwner>();
  readonly #platforms: PlatformAccount[] = [];
  readonly #connections = new Map<string, Connection>();
  readonly #refreshTokens = new Map<string, Connection>();

  get platforms(): readonly PlatformAccount[] {
    return this.#platforms;
  }

  get(id: string): AccountState | undefined {
    return this.#accounts.get(id);
  }

  all(): IterableIterator<AccountState> {
    return this.#accounts.values();
  }

  key(secret: string): KeyOwner | undefined {
    return this.#keys.get(secret);
  }

  platformByClientId(clientId: string): PlatformAccount | undefined {
    return this.#platforms.find((platform) => platform.clientId === clientId);
  }

  platform(id: string): PlatformAccount | undefined {
    return this.#platforms.find((platform) => platform.id === id);
  }

  addPlatform(options: PlatformOptions, nowSeconds: number): PlatformAccount {
    const id = options.id ?? newId('acct').slice(0, 21);
    if (this.#accounts.has(id)) throw new Error(`account ${id} exists already`);
    const platform: PlatformAccount = {
      id,
      secretKey: options.secretKey ?? `sk_test_${base62(48)}`,
      restrictedKey: options.restrictedKey ?? `rk_test_${base62(48)}`,
      publishableKey: options.publishableKey ?? `pk_test_${base62(48)}`,
      clientId: options.clientId ?? `ca_${base62(32)}`,
      redirectUris: [...(options.redirectUris ?? [])],
      name: options.name ?? 'Sandbox Platform',
    };
    const info: AccountInfo = {
      id,
      created: nowSeconds,
      name: platform.name,
      email: options.email ?? 'platform@example.com',
      country: options.country ?? 'US',
      defaultCurrency: options.defaultCurrency ?? 'usd',
      url: null,
    };
    this.#accounts.set(id, new AccountState(info, 'platform'));
    this.#keys.set(platform.secretKey, { accountId: id, kind: 'secret', revoked: false });
    this.#keys.set(platform.restrictedKey, { accountId: id, kind: 'restricted', revoked: false });
    this.#platforms.push(platform);
    return platform;
  }

  createConnectedAccount(options: ConnectedAccountOptions, nowSeconds: number): AccountState {
    const id = newId('acct').slice(0, 21);
    const info: AccountInfo = {
      id,
      created: nowSeconds,
      name: options.name ?? null,
      email: options.email ?? `owner-${id.slice(5, 13).toLowerCase()}@example.com`,
      country: options.country ?? 'US',
      defaultCurrency: 'usd',
      url: options.url ?? null,
    };
    const account = new AccountState(info, 'connected');
    this.#accounts.set(id, account);
    return account;
  }

  /** Connects (or reconnects) `accountId` to a platform: fresh tokens, old ones revoked. */
  connect(platformId: string, accountId: string, scope: Connection['scope']): Connection {
    this.deauthorize(platformId, accountId);
    const connection: Connection = {
      platformId,
      accountId,
      accessToken: `sk_test_${base62(48)}`,
      refreshToken: `rt_${base62(48)}`,
      publishableKey: `pk_test_${base62(48)}`,
      scope,
      active: true,
    };
    this.#connections.set(connectionKey(platformId, accountId), connection);
    this.#refreshTokens.set(connection.refreshToken, connection);
    this.#keys.set(connection.accessToken, { accountId, kind: 'oauth', platformId, revoked: false });
    return connection;
  }

  connection(platformId: string, accountId: string): Connection | undefined {
    const connection = this.#connections.get(connectionKey(platformId, accountId));
    return connection?.active ? connection : undefined;
  }

  /** Rolls the access token of the connection behind `refreshToken` (the old one stops working). */
  refresh(refreshToken: string, platformId: string, scope?: Connection['scope']): Connection | undefined {
    const connection = this.#refreshTokens.get(refreshToken);
    if (!connection?.active || connection.platformId !== platformId) return undefined;
    this.#revokeKey(connection.accessToken);
    connection.accessToken = `sk_test_${base62(48)}`;
    if (scope) connection.scope = scope;
    this.#keys.set(connection.accessToken, {
      accountId: connection.accountId,
      kind: 'oauth',
      platformId,
      revoked: false,
    });
    return connection;
  }

  /** Ends a connection; false when there was none. */
  deauthorize(platformId: string, accountId: string): boolean {
    const connection = this.connection(platformId, accountId);
    if (!connection) return false;
    connection.active = false;
    this.#revokeKey(connection.accessToken);
    this.#refreshTokens.delete(connection.refreshToken);
    return true;
  }

  /** The accounts connected to a platform now. */
  connectedTo(platformId: string): AccountState[] {
    const accounts: AccountState[] = [];
    for (const connection of this.#connections.values()) {
      const account = this.#accounts.get(connection.accountId);
      if (connection.active && connection.platformId === platformId && account) accounts.push(account);
    }
    return accounts;
  }

  /** The platforms an account is connected to now. */
  platformsOf(accountId: string): PlatformAccount[] {
    return this.#platforms.filter((platform) => this.connection(platform.id, accountId) !== undefined);
  }

  #revokeKey(key: string): void {
    const owner = this.#keys.get(key);
    if (owner) owner.revoked = true;
  }
}

function connectionKey(platformId: string, accountId: string): string {
  return `${platformId} ${accountId}`;
}
