/**
 * In-memory doubles of the connect flow's dependencies, for src/connect/flow.test.ts and the
 * browser test test/e2e/connect-page.test.ts. They follow the contracts' documented errors
 * (codes and statuses) and record what the routes asked of them.
 */
import type { AuthorizationResult } from '../auth/types.ts';
import type { Catalog } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import type { Credentials, ResolvedIntegration } from '../connections/contracts.ts';
import type { Connection, SaveConnectionInput } from '../connections/types.ts';
import { PatchbayError } from '../errors/index.ts';
import type { Integration } from '../integrations/types.ts';
import type { ConnectFlowDeps } from './flow-deps.ts';
import type { ConnectSession } from './types.ts';

export interface FakeConnectWorld {
  deps: ConnectFlowDeps;
  /** Adds a session and returns its token. */
  addSession(session: Partial<ConnectSession> & { environmentId: string }): {
    token: string;
    session: ConnectSession;
  };
  /** Adds an enabled integration of `provider` (key defaults to the provider). */
  addIntegration(environmentId: string, provider: string, extra?: Partial<Integration>): Integration;
  addConnection(
    connection: Partial<Connection> & { environmentId: string; integrationId: string },
  ): Connection;
  /** What the routes saved, in order, and the connection each save returned. */
  saved: Array<{ environmentId: string; input: SaveConnectionInput; connection: Connection }>;
  /** Arguments of startAuthorization calls. */
  started: Array<{ sessionId: string; integration: string; connectionConfig: Record<string, string> }>;
  /** States that startAuthorization issued, by state value: session and integration. */
  states: Map<
    string,
    { environmentId: string; sessionId: string; integrationId: string; config: Record<string, string> }
  >;
}

export interface FakeConnectOptions {
  catalog: Catalog;
  clock: Clock;
  publicUrl: string;
  /** Where startAuthorization sends the popup; `state` is appended. Default: the provider's own URL. */
  authorizationUrl?: string;
}

/** Credential values the fake auth refuses, as a provider would (`credentials_rejected`). */
export const REJECTED_SECRET = 'sk_test_rejected';

/** A fake world: sessions, integrations, connections and an auth module over them. */
export function createFakeConnectWorld(options: FakeConnectOptions): FakeConnectWorld {
  const sessions = new Map<string, ConnectSession>();
  const integrations: Integration[] = [];
  const connections: Connection[] = [];
  const saved: FakeConnectWorld['saved'] = [];
  const started: FakeConnectWorld['started'] = [];
  const states: FakeConnectWorld['states'] = new Map();
  let counter = 0;
  const next = (prefix: string) => `${prefix}_${String(++counter).padStart(26, '0')}`;

  const findIntegration = (environmentId: string, idOrKey: string): Integration => {
    const found = integrations.find(
      (i) => i.environmentId === environmentId && (i.id === idOrKey || i.key === idOrKey),
    );
    if (!found)
      throw new PatchbayError('not_found', `Integration ${idOrKey} was not found in this environment`);
    return found;
  };
  const findConnection = (environmentId: string, id: string): Connection => {
    const found = connections.find((c) => c.environmentId === environmentId && c.id === id);
    if (!found) throw new PatchbayError('not_found', `Connection ${id} was not found in this environment`);
    return found;
  };
  const checkSession = (session: ConnectSession | undefined): ConnectSession => {
    if (!session)
      throw new PatchbayError('connect_session_invalid', 'The connect session token is not valid');
    if (session.expiresAt <= options.clock.now()) {
      throw new PatchbayError('connect_session_expired', 'The connect session has expired; create a new one');
    }
    return session;
  };
  const resolve = (integration: Integration): ResolvedIntegration => {
    const definition = options.catalog.get(integration.provider);
    if (!definition) throw new PatchbayError('provider_not_found', `no provider ${integration.provider}`);
    return {
      id: integration.id,
      environmentId: integration.environmentId,
      key: integration.key,
      provider: integration.provider,
      clientId: integration.clientId,
      clientSecret: 'app-secret',
      scopes: integration.scopes,
      redirectUri: integration.settings.redirectUri ?? null,
      definition,
    };
  };

  const deps: ConnectFlowDeps = {
    catalog: options.catalog,
    publicUrl: options.publicUrl,
    sessions: {
      async authenticate(token) {
        return checkSession(sessions.get(token));
      },
      async get(environmentId, sessionId) {
        const session = [...sessions.values()].find(
          (s) => s.id === sessionId && s.environmentId === environmentId,
        );
        return checkSession(session);
      },
    },
    integrations: {
      async list(environmentId) {
        return integrations.filter((i) => i.environmentId === environmentId);
      },
      async get(environmentId, idOrKey) {
        return findIntegration(environmentId, idOrKey);
      },
      async resolve(environmentId, idOrKey) {
        return resolve(findIntegration(environmentId, idOrKey));
      },
    },
    connections: {
      async get(environmentId, id) {
        return findConnection(environmentId, id);
      },
      async save(environmentId, input) {
        const integration = integrations.find(
          (i) => i.id === input.integrationId && i.environmentId === environmentId,
        );
        if (!integration)
          throw new PatchbayError('not_found', `Integration ${input.integrationId} was not found`);
        const connection = input.connectionId
          ? { ...findConnection(environmentId, input.connectionId), connectionConfig: input.connectionConfig }
          : addConnection({
              environmentId,
              integrationId: integration.id,
              endUser: input.endUser,
              connectionConfig: input.connectionConfig,
              metadata: input.metadata,
            });
        saved.push({ environmentId, input, connection });
        return connection;
      },
    },
    auth: {
      async startAuthorization({ session, integration, connectionConfig }) {
        if (integration.definition.auth.mode !== 'oauth2') {
          throw new PatchbayError('auth_mode_unsupported', `${integration.key} does not use OAuth 2.0`);
        }
        for (const field of integration.definition.connectionConfig) {
          const value = connectionConfig[field.key];
          if (field.required && !value)
            throw new PatchbayError('validation_failed', `${field.label} is required`);
          if (value && field.pattern && !new RegExp(field.pattern).test(value)) {
            throw new PatchbayError('validation_failed', `${field.label} is not valid`);
          }
        }
        started.push({ sessionId: session.id, integration: integration.key, connectionConfig });
        const state = next('state');
        states.set(state, {
          environmentId: session.environmentId,
          sessionId: session.id,
          integrationId: integration.id,
          config: connectionConfig,
        });
        const url = new URL(options.authorizationUrl ?? 'https://provider.example/authorize');
        url.searchParams.set('state', state);
        return { authorizationUrl: url.href, expiresAt: options.clock.now() + 600_000 };
      },
      async completeAuthorization(callbackUrl) {
        const error = callbackUrl.searchParams.get('error');
        if (error) throw new PatchbayError('oauth_provider_error', `The provider refused: ${error}`);
        const state = callbackUrl.searchParams.get('state') ?? '';
        const bound = states.get(state);
        if (!bound)
          throw new PatchbayError(
            'oauth_state_invalid',
            'The authorization state is unknown or was already used',
          );
        states.delete(state);
        const credentials: Credentials = {
          type: 'oauth2',
          accessToken: `at-${state}`,
          refreshToken: `rt-${state}`,
        };
        const result: AuthorizationResult = {
          environmentId: bound.environmentId,
          sessionId: bound.sessionId,
          integrationId: bound.integrationId,
          credentials,
          connectionConfig: bound.config,
          metadata: { code: callbackUrl.searchParams.get('code') },
        };
        return result;
      },
      async connectWithCredentials({ integration, values }) {
        if (Object.values(values).includes(REJECTED_SECRET)) {
          throw new PatchbayError(
            'credentials_rejected',
            `${integration.key} refused these credentials (HTTP 401)`,
          );
        }
        const auth = integration.definition.auth;
        if (auth.mode === 'basic') {
          return {
            credentials: { type: 'basic', username: values.username ?? '', password: values.password ?? '' },
            metadata: {},
          };
        }
        if (auth.mode === 'api_key') return { credentials: { type: 'api_key', values }, metadata: {} };
        throw new PatchbayError(
          'auth_mode_unsupported',
          `${integration.key} does not take pasted credentials`,
        );
      },
    },
  };

  function addConnection(
    connection: Partial<Connection> & { environmentId: string; integrationId: string },
  ): Connection {
    const integration = integrations.find((i) => i.id === connection.integrationId)!;
    const created: Connection = {
      id: next('conn'),
      integrationKey: integration.key,
      provider: integration.provider,
      endUser: { id: 'user-1', email: null, organization: null },
      status: 'active',
      connectionConfig: {},
      metadata: {},
      expiresAt: null,
      lastError: null,
      lastRefreshedAt: null,
      createdAt: options.clock.now(),
      updatedAt: options.clock.now(),
      ...connection,
    };
    connections.push(created);
    return created;
  }

  return {
    deps,
    saved,
    started,
    states,
    addConnection,
    addSession(partial) {
      const token = `pb_cst_${next('tok')}`;
      const session: ConnectSession = {
        id: next('cs'),
        endUser: { id: 'user-1', email: 'user@example.com', organization: null },
        allowedIntegrations: null,
        connectionId: null,
        allowedOrigin: null,
        expiresAt: options.clock.now() + 30 * 60_000,
        createdAt: options.clock.now(),
        ...partial,
      };
      sessions.set(token, session);
      return { token, session };
    },
    addIntegration(environmentId, provider, extra = {}) {
      const integration: Integration = {
        id: next('int'),
        environmentId,
        key: provider,
        provider,
        displayName: null,
        clientId: 'app-client',
        hasClientSecret: true,
        hasWebhookSecret: false,
        scopes: null,
        settings: {},
        enabled: true,
        createdAt: options.clock.now(),
        updatedAt: options.clock.now(),
        ...extra,
      };
      integrations.push(integration);
      return integration;
    },
  };
}
