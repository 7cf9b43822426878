/**
 * In-memory store of the OAuth sandbox: grants, authorization codes, access and refresh tokens.
 * Every token belongs to one grant (one authorization of one client by one subject); revoking
 * any token revokes its grant and with it every token issued under it (RFC 7009 §2.1 allows it,
 * and it is what providers do). Maps are keyed by a hash of the token, never the token itself.
 */
import { randomBytes } from 'node:crypto';
import { randomToken, tokenKey } from './secrets.ts';

/** Time in epoch ms: `{ now(): number }` (the engine's ManualClock fits it, in tests). */
export interface SandboxClock {
  now(): number;
}

/** The wall clock, for emulators not given one. */
export const wallClock: SandboxClock = { now: () => Date.now() };

export type GrantType = 'authorization_code' | 'client_credentials';

export interface Grant {
  readonly id: string;
  readonly clientId: string;
  readonly subject: string;
  readonly scope: readonly string[];
  readonly grantType: GrantType;
  readonly createdAt: number;
  revoked: boolean;
}

export interface CodeRecord {
  readonly clientId: string;
  /** The redirect URI the code was delivered to. */
  readonly redirectUri: string;
  /** Whether the authorization request named it; then the token request must repeat it (§4.1.3). */
  readonly redirectUriGiven: boolean;
  readonly scope: readonly string[];
  readonly subject: string;
  readonly codeChallenge: string | undefined;
  readonly expiresAt: number;
  /** Set when the code is redeemed; a second redemption revokes this grant (RFC 6749 §4.1.2). */
  grantId: string | undefined;
}

interface AccessRecord {
  readonly grantId: string;
  readonly scope: readonly string[];
  /** Null: the token never expires (some providers issue such tokens). */
  expiresAt: number | null;
}

interface RefreshRecord {
  readonly grantId: string;
  readonly scope: readonly string[];
  /** False once rotated away. */
  active: boolean;
}

export interface IssuedTokens {
  accessToken: string;
  /** Seconds, or null for a token that does not expire. */
  expiresIn: number | null;
  refreshToken?: string;
  scope: readonly string[];
}

export type AccessCheck =
  | { ok: true; grant: Grant; scope: readonly string[]; expiresAt: number | null }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

export interface TokenStoreOptions {
  accessTokenTtlSeconds: number | null;
  authorizationCodeTtlSeconds: number;
}

export class TokenStore {
  readonly #clock: SandboxClock;
  readonly #codeTtlMs: number;
  readonly #grants = new Map<string, Grant>();
  readonly #codes = new Map<string, CodeRecord>();
  readonly #access = new Map<string, AccessRecord>();
  readonly #refresh = new Map<string, RefreshRecord>();
  /** Lifetime of access tokens issued from now on; null issues tokens that never expire. */
  accessTokenTtlSeconds: number | null;

  constructor(clock: SandboxClock, options: TokenStoreOptions) {
    this.#clock = clock;
    this.#codeTtlMs = options.authorizationCodeTtlSeconds * 1000;
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds;
  }

  issueCode(input: Omit<CodeRecord, 'expiresAt' | 'grantId'>): string {
    const code = randomToken();
    this.#codes.set(tokenKey(code), {
      ...input,
      expiresAt: this.#clock.now() + this.#codeTtlMs,
      grantId: undefined,
    });
    return code;
  }

  findCode(code: string): CodeRecord | undefined {
    return this.#codes.get(tokenKey(code));
  }

  isCodeExpired(record: CodeRecord): boolean {
    return this.#clock.now() >= record.expiresAt;
  }

  createGrant(input: Omit<Grant, 'id' | 'createdAt' | 'revoked'>): Grant {
    const grant: Grant = {
      ...input,
      id: `grant_${randomBytes(9).toString('hex')}`,
      createdAt: this.#clock.now(),
      revoked: false,
    };
    this.#grants.set(grant.id, grant);
    return grant;
  }

  /**
   * Issues an access token under a live grant, and a refresh token when `refreshScope` is given
   * (a refresh token keeps the grant's scope even when an access token is narrowed, RFC 6749 §6).
   */
  issueTokens(
    grant: Grant,
    scope: readonly string[],
    refreshScope: readonly string[] | undefined,
  ): IssuedTokens {
    const accessToken = randomToken();
    const ttl = this.accessTokenTtlSeconds;
    this.#access.set(tokenKey(accessToken), {
      grantId: grant.id,
      scope,
      expiresAt: ttl === null ? null : this.#clock.now() + ttl * 1000,
    });
    const issued: IssuedTokens = { accessToken, expiresIn: ttl, scope };
    if (refreshScope !== undefined) {
      const refreshToken = randomToken();
      this.#refresh.set(tokenKey(refreshToken), { grantId: grant.id, scope: refreshScope, active: true });
      issued.refreshToken = refreshToken;
    }
    return issued;
  }

  checkAccess(token: string): AccessCheck {
    const record = this.#access.get(tokenKey(token));
    const grant = record && this.#grants.get(record.grantId);
    if (!record || !grant) return { ok: false, reason: 'unknown' };
    if (grant.revoked) return { ok: false, reason: 'revoked' };
    if (record.expiresAt !== null && this.#clock.now() >= record.expiresAt)
      return { ok: false, reason: 'expired' };
    return { ok: true, grant, scope: record.scope, expiresAt: record.expiresAt };
  }

  /** The refresh token's record and grant, whatever their state (the caller decides what is valid). */
  findRefresh(token: string): { record: RefreshRecord; grant: Grant } | undefined {
    const record = this.#refresh.get(tokenKey(token));
    const grant = record && this.#grants.get(record.grantId);
    return record && grant ? { record, grant } : undefined;
  }

  /** The grant of an access or refresh token, for revocation. */
  grantOf(token: string, hint: 'access_token' | 'refresh_token' | undefined): Grant | undefined {
    const key = tokenKey(token);
    // RFC 7009 §2.1: the hint only orders the lookup; a wrong hint must still find the token.
    const order = hint === 'refresh_token' ? [this.#refresh, this.#access] : [this.#access, this.#refresh];
    for (const map of order) {
      const record = map.get(key);
      if (record) return this.#grants.get(record.grantId);
    }
    return undefined;
  }

  revokeGrant(grantId: string): void {
    const grant = this.#grants.get(grantId);
    if (grant) grant.revoked = true;
  }

  revokeAll(): void {
    for (const grant of this.#grants.values()) grant.revoked = true;
  }

  /** Makes every access token issued so far expired now, as if its lifetime had passed. */
  expireAccessTokens(): void {
    const now = this.#clock.now();
    for (const record of this.#access.values()) record.expiresAt = now;
  }
}
