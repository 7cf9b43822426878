/**
 * Signed links in notification emails: unsubscribe (one end user, one kind; never expires, as
 * mail clients may use it long after) and reconnect (one end user's connection; expires). A token
 * is `v1.<payload>.<mac>`: the payload names the environment, the MAC is HMAC-SHA256 under that
 * environment's link key — 32 random bytes made on first use and kept as a vault envelope — so a
 * token cannot be guessed, altered, or moved to another environment. MACs are compared in
 * constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import type { Database } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';

export type LinkPayload =
  | { p: 'unsubscribe'; e: string; u: string; k: string }
  | { p: 'reconnect'; e: string; u: string; c: string; x: number };

/** How long a reconnect link works. */
export const RECONNECT_LINK_TTL_MS = 14 * 24 * 3_600_000;

export interface LinkSigner {
  sign(payload: LinkPayload): Promise<string>;
  /** The payload of a valid token of `purpose`, or null (malformed, forged, expired). */
  verify<P extends LinkPayload['p']>(
    token: string,
    purpose: P,
  ): Promise<Extract<LinkPayload, { p: P }> | null>;
}

export function createLinkSigner(options: { db: Kysely<Database>; vault: Vault; clock: Clock }): LinkSigner {
  const { db, vault, clock } = options;
  const context = (environmentId: string) => ({
    table: 'notification_keys',
    rowId: environmentId,
    purpose: 'notification_link_key',
  });

  async function keyOf(environmentId: string, create: boolean): Promise<Buffer | null> {
    const read = () =>
      db
        .selectFrom('notification_keys')
        .select('secret')
        .where('environment_id', '=', environmentId)
        .executeTakeFirst();
    let row = await read();
    if (!row && create) {
      // Two processes may race to make it: the first insert wins, both then read the same key.
      await db
        .insertInto('notification_keys')
        .values({
          environment_id: environmentId,
          secret: vault.encrypt(randomBytes(32).toString('base64'), context(environmentId)),
          created_at: clock.now(),
        })
        .onConflict((conflict) => conflict.column('environment_id').doNothing())
        .execute();
      row = await read();
    }
    return row ? Buffer.from(vault.decrypt(row.secret, context(environmentId)), 'base64') : null;
  }

  const mac = (key: Buffer, body: string) =>
    createHmac('sha256', key).update(`patchbay-notification.${body}`).digest();

  return {
    async sign(payload) {
      const key = (await keyOf(payload.e, true))!;
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `v1.${body}.${mac(key, body).toString('base64url')}`;
    },
    async verify(token, purpose) {
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== 'v1' || token.length > 2000) return null;
      const [, body, signature] = parts as [string, string, string];
      let payload: LinkPayload;
      try {
        payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkPayload;
      } catch {
        return null;
      }
      if (typeof payload !== 'object' || payload === null || typeof payload.e !== 'string') return null;
      const key = await keyOf(payload.e, false);
      if (!key) return null;
      const expected = mac(key, body);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      if (payload.p !== purpose) return null;
      if (payload.p === 'reconnect' && !(payload.x > clock.now())) return null;
      return payload as Extract<LinkPayload, { p: typeof purpose }>;
    },
  };
}
