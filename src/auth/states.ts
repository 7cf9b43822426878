/**
 * Pending OAuth authorizations (table oauth_states). The `state` parameter itself is never
 * stored: rows are keyed by its SHA-256, and the PKCE verifier is a vault envelope bound to that
 * row. A state is single use: it is consumed by one conditional UPDATE before the code is
 * exchanged, so two callbacks racing with the same state cannot both proceed.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import type { OAuthStatesTable, Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';

export const STATE_TABLE = 'oauth_states';
export const VERIFIER_PURPOSE = 'code_verifier';

export function hashState(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}

export interface NewState {
  state: string;
  environmentId: string;
  sessionId: string;
  integrationId: string;
  codeVerifier: string | null;
  redirectUri: string;
  connectionConfig: Record<string, string>;
  expiresAt: number;
}

/** A consumed state with its verifier decrypted. */
export interface ConsumedState {
  environmentId: string;
  sessionId: string;
  integrationId: string;
  codeVerifier: string | null;
  redirectUri: string;
  connectionConfig: Record<string, string>;
}

export function createStateStore(deps: { store: Store; vault: Vault; clock: Clock }) {
  const { store, vault, clock } = deps;
  return {
    async insert(input: NewState): Promise<void> {
      const stateHash = hashState(input.state);
      const row: OAuthStatesTable = {
        state_hash: stateHash,
        environment_id: input.environmentId,
        session_id: input.sessionId,
        integration_id: input.integrationId,
        code_verifier:
          input.codeVerifier === null
            ? null
            : vault.encrypt(input.codeVerifier, {
                table: STATE_TABLE,
                rowId: stateHash,
                purpose: VERIFIER_PURPOSE,
              }),
        redirect_uri: input.redirectUri,
        connection_config: JSON.stringify(input.connectionConfig),
        expires_at: input.expiresAt,
        consumed_at: null,
        created_at: clock.now(),
      };
      await store.db.insertInto('oauth_states').values(row).execute();
    },

    /**
     * Finds and consumes the state: `oauth_state_invalid` when unknown or already used (a
     * replay), `oauth_state_expired` after its expiry.
     */
    async consume(state: string | null): Promise<ConsumedState> {
      if (!state) throw invalidState('The callback has no state parameter');
      const stateHash = hashState(state);
      const row = await store.db
        .selectFrom('oauth_states')
        .selectAll()
        .where('state_hash', '=', stateHash)
        .executeTakeFirst();
      if (!row) throw invalidState('The state parameter is unknown');
      if (row.consumed_at !== null)
        throw invalidState('This authorization was already completed (the state is single use)');
      const now = clock.now();
      if (row.expires_at <= now) {
        throw new PatchbayError(
          'oauth_state_expired',
          'This authorization took too long and expired; start connecting again',
        );
      }
      const result = await store.db
        .updateTable('oauth_states')
        .set({ consumed_at: now })
        .where('state_hash', '=', stateHash)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw invalidState('This authorization was already completed (the state is single use)');
      }
      return {
        environmentId: row.environment_id,
        sessionId: row.session_id,
        integrationId: row.integration_id,
        codeVerifier:
          row.code_verifier === null
            ? null
            : vault.decrypt(row.code_verifier, {
                table: STATE_TABLE,
                rowId: stateHash,
                purpose: VERIFIER_PURPOSE,
              }),
        redirectUri: row.redirect_uri,
        connectionConfig: JSON.parse(row.connection_config) as Record<string, string>,
      };
    },
  };
}

export type StateStore = ReturnType<typeof createStateStore>;

function invalidState(message: string): PatchbayError {
  return new PatchbayError('oauth_state_invalid', `${message}; start connecting again`);
}
