/**
 * Per-connection webhook credentials, for providers whose deliveries are verified per connection:
 * a signing secret (vault-encrypted, purpose `connection_webhook_secret`) and a URL token for
 * providers that do not sign (only its SHA-256 is stored; the token is shown once).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock/index.ts';
import { notFound } from '../errors/index.ts';
import type { Database } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import type { ConnectionsService } from './types.ts';
import { bumpUpdatedAt } from './updated-at.ts';

const WEBHOOK_SECRET_PURPOSE = 'connection_webhook_secret';

/** What is stored of a webhook URL token: its SHA-256 (hex), enough to find the connection. */
function webhookTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type ConnectionWebhookCredentials = Pick<
  ConnectionsService,
  'setWebhookSecret' | 'issueWebhookToken' | 'findByWebhookToken' | 'webhookSecrets'
>;

export function connectionWebhookCredentials(deps: {
  db: Kysely<Database>;
  vault: Vault;
  clock: Clock;
}): ConnectionWebhookCredentials {
  const { db, vault, clock } = deps;
  const context = (rowId: string) => ({ table: 'connections', rowId, purpose: WEBHOOK_SECRET_PURPOSE });

  async function update(
    environmentId: string,
    id: string,
    values: { webhook_secret: string | null } | { webhook_token_hash: string },
  ): Promise<void> {
    const result = await db
      .updateTable('connections')
      .set({ ...values, updated_at: bumpUpdatedAt(clock.now()) })
      .where('environment_id', '=', environmentId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound('Connection', id.slice(0, 100));
  }

  return {
    async setWebhookSecret(environmentId, id, secret) {
      await update(environmentId, id, {
        webhook_secret: secret === null ? null : vault.encrypt(secret, context(id)),
      });
    },

    async issueWebhookToken(environmentId, id) {
      // 256 random bits: the URL itself is the credential for providers that do not sign.
      const token = randomBytes(32).toString('base64url');
      await update(environmentId, id, { webhook_token_hash: webhookTokenHash(token) });
      return { token };
    },

    async findByWebhookToken(environmentId, integrationId, token) {
      const row = await db
        .selectFrom('connections')
        .select('id')
        .where('webhook_token_hash', '=', webhookTokenHash(token))
        .where('environment_id', '=', environmentId)
        .where('integration_id', '=', integrationId)
        .executeTakeFirst();
      return row?.id ?? null;
    },

    async webhookSecrets(environmentId, ids) {
      const secrets = new Map<string, string>();
      if (ids.length === 0) return secrets;
      const rows = await db
        .selectFrom('connections')
        .select(['id', 'webhook_secret'])
        .where('environment_id', '=', environmentId)
        .where('id', 'in', [...ids])
        .execute();
      for (const row of rows) {
        if (row.webhook_secret !== null)
          secrets.set(row.id, vault.decrypt(row.webhook_secret, context(row.id)));
      }
      return secrets;
    },
  };
}
