/**
 * createAuthService: the auth module's one entry point, wiring the OAuth flow, the refresher,
 * key-based modes, install verification and revocation over injected store, vault, clock,
 * transport (an SSRF-guarded fetch) and ProviderCaller.
 */
import type { Clock } from '../clock/index.ts';
import { PatchbayError } from '../errors/index.ts';
import type { Logger } from '../logger/index.ts';
import type { ConnectionContext, IntegrationResolver, TokenRefresher } from '../ports/connections.ts';
import type { ProviderCaller } from '../proxy/types.ts';
import type { Store } from '../store/index.ts';
import type { Vault } from '../vault/index.ts';
import { verifyInstallQuery } from './install.ts';
import { createKeyModes } from './key-modes.ts';
import { createOAuthFlow, oauth2Auth } from './oauth-flow.ts';
import { createRefresher } from './refresh.ts';
import { revokeGrant } from './revoke.ts';
import { createStateStore } from './states.ts';
import type { AuthService } from './types.ts';

export interface AuthServiceOptions {
  store: Store;
  vault: Vault;
  clock: Clock;
  integrations: IntegrationResolver;
  /** Credential tests at connect time (explicit credentials, no refresh). */
  caller: ProviderCaller;
  /** Every token, revocation and metadata request goes through it (the engine passes an SSRF-guarded one). */
  fetch: typeof fetch;
  /** Where browsers reach Patchbay; the default redirect URI is `${publicUrl}/connect/oauth/callback`. */
  publicUrl: string;
  /** How long an authorization may take between redirect and callback. Default 600. */
  stateTtlSeconds?: number;
  logger: Logger;
}

/**
 * The AuthService. `refresh` takes an optional fourth argument, the connection config, which
 * token URLs with placeholders (`https://${loginHost}/services/oauth2/token`) need.
 */
export type EngineAuthService = AuthService & TokenRefresher;

export function createAuthService(options: AuthServiceOptions): EngineAuthService {
  const { clock, logger } = options;
  const states = createStateStore(options);
  const flow = createOAuthFlow({
    states,
    clock,
    integrations: options.integrations,
    fetch: options.fetch,
    publicUrl: options.publicUrl,
    stateTtlSeconds: options.stateTtlSeconds ?? 600,
    logger,
  });
  const refresher = createRefresher({ clock, fetch: options.fetch });
  const keyModes = createKeyModes({ caller: options.caller, clock, fetch: options.fetch });

  return {
    startAuthorization: flow.startAuthorization,
    completeAuthorization: flow.completeAuthorization,
    refresh: refresher.refresh,
    connectWithCredentials: keyModes.connectWithCredentials,
    test: keyModes.test,

    verifyInstall(integration, query) {
      const auth = oauth2Auth(integration);
      if (!auth.install) {
        throw new PatchbayError(
          'auth_mode_unsupported',
          `Integration "${integration.key}" has no install flow`,
          {
            details: { mode: auth.mode },
          },
        );
      }
      if (!integration.clientSecret) {
        throw new PatchbayError(
          'install_signature_invalid',
          `Integration "${integration.key}" has no client secret to verify installs with`,
        );
      }
      const connectionConfig = verifyInstallQuery(auth.install, integration.clientSecret, query, clock.now());
      return { connectionConfig };
    },

    async revoke(connection: ConnectionContext) {
      const result = await revokeGrant(connection, options.fetch);
      logger.info(
        { environmentId: connection.environmentId, connectionId: connection.id, revoked: result.revoked },
        'connection grant revocation',
      );
      return result;
    },
  };
}
