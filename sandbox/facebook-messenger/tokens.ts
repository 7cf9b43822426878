/**
 * Access tokens and login codes of the emulator. A User token is short-lived (an hour or two)
 * or long-lived (about 60 days, from `fb_exchange_token`); a Page token is derived from a User
 * token: from a long-lived one it never expires, from a short-lived one it expires with it.
 * Invalidating a user (password changed, logged out, app removed) refuses every token derived
 * from that user with the matching 190 subcode. Maps are keyed by a hash of the token.
 */

import { tokenKey } from '../oauth/secrets.ts';
import type { SandboxClock } from '../oauth/tokens.ts';
import { type GraphError, GraphErrors, type TokenRefusal } from './graph-errors.ts';
import { accessToken, authorizationCode } from './ids.ts';

export type Invalidation = Exclude<TokenRefusal, 'unknown' | 'expired'>;

export interface TokenRecord {
  readonly kind: 'user' | 'page';
  readonly userId: string;
  /** The Page a Page token acts for. */
  readonly pageId?: string;
  readonly scopes: readonly string[];
  readonly issuedAt: number;
  /** Epoch ms, or null for a token without expiry (a Page token from a long-lived User token). */
  expiresAt: number | null;
  readonly longLived: boolean;
  /** The User token a Page token was derived from. */
  readonly parentKey?: string;
  /** Issue order: invalidation refuses what was issued before it, even within one clock tick. */
  readonly serial: number;
}

export type TokenCheck = { ok: true; record: TokenRecord } | { ok: false; error: GraphError };

export interface CodeRecord {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly userId: string;
  readonly expiresAt: number;
  used: boolean;
}

const MESSAGES: Record<Invalidation, (userId: string, appId: string) => string> = {
  app_removed: (userId, appId) =>
    `Error validating access token: User ${userId} has not authorized application ${appId}.`,
  password_changed: () =>
    'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  logged_out: () => 'Error validating access token: The session is invalid because the user logged out.',
};

export class TokenStore {
  readonly #clock: SandboxClock;
  readonly #appId: string;
  readonly #tokens = new Map<string, TokenRecord>();
  readonly #codes = new Map<string, CodeRecord>();
  /** Users whose earlier tokens were all invalidated, and why (later logins are not affected). */
  readonly #invalidated = new Map<string, Invalidation>();
  /** Tokens with a serial up to this one belong to an invalidated session. */
  readonly #invalidatedUpTo = new Map<string, number>();
  #serial = 0;

  constructor(clock: SandboxClock, appId: string) {
    this.#clock = clock;
    this.#appId = appId;
  }

  issueCode(input: Omit<CodeRecord, 'used' | 'expiresAt'>, ttlMs: number): string {
    const code = authorizationCode();
    this.#codes.set(tokenKey(code), { ...input, used: false, expiresAt: this.#clock.now() + ttlMs });
    return code;
  }

  findCode(code: string): CodeRecord | undefined {
    return this.#codes.get(tokenKey(code));
  }

  isCodeExpired(record: CodeRecord): boolean {
    return this.#clock.now() >= record.expiresAt;
  }

  issueUserToken(userId: string, scopes: readonly string[], ttlSeconds: number, longLived: boolean): string {
    const now = this.#clock.now();
    return this.#store({
      kind: 'user',
      userId,
      scopes: [...scopes],
      issuedAt: now,
      expiresAt: now + ttlSeconds * 1000,
      longLived,
    });
  }

  /** A Page token derived from a valid User token: it expires when a short-lived parent does. */
  issuePageToken(userToken: string, pageId: string): string {
    const parentKey = tokenKey(userToken);
    const parent = this.#tokens.get(parentKey);
    if (parent?.kind !== 'user') throw new Error('a Page token derives from a User token');
    return this.#store({
      kind: 'page',
      userId: parent.userId,
      pageId,
      scopes: parent.scopes,
      issuedAt: this.#clock.now(),
      expiresAt: parent.longLived ? null : parent.expiresAt,
      longLived: parent.longLived,
      parentKey,
    });
  }

  /** The record of a token, valid or not (debug_token describes invalid tokens too). */
  find(token: string): TokenRecord | undefined {
    return this.#tokens.get(tokenKey(token));
  }

  check(token: string): TokenCheck {
    const record = this.find(token);
    if (!record) return { ok: false, error: GraphErrors.token('unknown', '') };
    const invalidation = this.invalidationOf(record);
    if (invalidation) {
      return {
        ok: false,
        error: GraphErrors.token(invalidation, MESSAGES[invalidation](record.userId, this.#appId)),
      };
    }
    const expiresAt = this.expiryOf(record);
    const now = this.#clock.now();
    if (expiresAt !== null && now >= expiresAt) {
      return {
        ok: false,
        error: GraphErrors.token(
          'expired',
          `Error validating access token: Session has expired on ${graphDate(expiresAt)}. The current time is ${graphDate(now)}.`,
        ),
      };
    }
    return { ok: true, record };
  }

  /** Why a token's session was invalidated, if it was. */
  invalidationOf(record: TokenRecord): Invalidation | undefined {
    const reason = this.#invalidated.get(record.userId);
    const upTo = this.#invalidatedUpTo.get(record.userId);
    return reason !== undefined && upTo !== undefined && record.serial <= upTo ? reason : undefined;
  }

  /** A token's expiry, counting its parent's for a Page token from a short-lived User token. */
  expiryOf(record: TokenRecord): number | null {
    const parent = record.parentKey === undefined ? undefined : this.#tokens.get(record.parentKey);
    if (parent && !parent.longLived && parent.expiresAt !== null) {
      return record.expiresAt === null ? parent.expiresAt : Math.min(record.expiresAt, parent.expiresAt);
    }
    return record.expiresAt;
  }

  /** Every token of `userId` issued so far stops working with the reason's subcode. */
  invalidateUser(userId: string, reason: Invalidation): void {
    this.#invalidated.set(userId, reason);
    this.#invalidatedUpTo.set(userId, this.#serial);
  }

  /** Every token issued so far is expired from now on, Page tokens without expiry included. */
  expireAll(): void {
    const now = this.#clock.now();
    for (const record of this.#tokens.values()) record.expiresAt = now;
  }

  #store(record: Omit<TokenRecord, 'serial'>): string {
    const token = accessToken();
    this.#tokens.set(tokenKey(token), { ...record, serial: ++this.#serial });
    return token;
  }
}

/** Graph's date in token errors: `Tuesday, 14-Jan-26 10:00:00 PST` (Meta's Pacific time). */
export function graphDate(ms: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/Los_Angeles',
      weekday: 'long',
      day: '2-digit',
      month: 'short',
      year: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(ms)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.weekday}, ${parts.day}-${parts.month}-${parts.year} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}
