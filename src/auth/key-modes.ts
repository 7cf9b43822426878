/**
 * Connecting with pasted credentials (api_key, basic, client credentials, none) and testing a
 * connection's credentials. The check is the provider's own: the definition's `test` call made
 * through the proxy's ProviderCaller (auth injected from the definition, request logged without
 * secrets), answered with `expectedStatus` when the credentials are good.
 */
import type { AuthConfig, CredentialTest } from '../catalog/index.ts';
import type { Clock } from '../clock/index.ts';
import { isPatchbayError, notFound, PatchbayError } from '../errors/index.ts';
import type { ConnectionContext, Credentials, ResolvedIntegration } from '../ports/connections.ts';
import type { CallTarget, ProviderCaller } from '../proxy/types.ts';
import { sendMetadataRequest } from './metadata.ts';
import { clientCredentialsGrant } from './refresh.ts';
import { TokenEndpointError } from './token-response.ts';
import { type CredentialSpec, validateConnectionConfig, validateCredentials } from './validation.ts';
import { metadataValues, renderPath } from './values.ts';

export type TestResult =
  | { ok: true; status: number }
  | { ok: false; status: number | null; code: string; message: string };

export interface KeyModeDeps {
  caller: ProviderCaller;
  clock: Clock;
  fetch: typeof fetch;
}

export function createKeyModes(deps: KeyModeDeps) {
  async function connectWithCredentials(input: {
    integration: ResolvedIntegration;
    environmentId: string;
    connectionConfig: Record<string, string>;
    values: Record<string, string>;
  }): Promise<{ credentials: Credentials; metadata: Record<string, unknown> }> {
    const { integration } = input;
    if (integration.environmentId !== input.environmentId) throw notFound('integration', integration.key);
    const auth = integration.definition.auth;
    if (auth.mode === 'oauth2') {
      throw new PatchbayError(
        'auth_mode_unsupported',
        `Integration "${integration.key}" connects through the provider's OAuth page, not with pasted credentials`,
        { details: { mode: auth.mode } },
      );
    }
    const config = validateConnectionConfig(integration.definition.connectionConfig, input.connectionConfig);
    const { credentials, test } = await credentialsFor(integration, auth, config, input.values);
    if (test) {
      const target: CallTarget = {
        environmentId: input.environmentId,
        connectionId: null,
        integration,
        connectionConfig: config,
        metadata: {},
        credentials,
      };
      const result = await runTest(target, test);
      if (!result.ok) {
        throw new PatchbayError(
          result.code === 'provider_unreachable' ? 'provider_unreachable' : 'credentials_rejected',
          result.message,
          { details: { status: result.status } },
        );
      }
    }
    return { credentials, metadata: publicValues(auth, credentials) };
  }

  async function credentialsFor(
    integration: ResolvedIntegration,
    auth: Exclude<AuthConfig, AuthConfig<'oauth2'>>,
    config: Record<string, string>,
    values: Record<string, string>,
  ): Promise<{ credentials: Credentials; test: CredentialTest | undefined }> {
    switch (auth.mode) {
      case 'none':
        validateCredentials([], values);
        return { credentials: { type: 'none' }, test: undefined };
      case 'api_key': {
        const specs: CredentialSpec[] = auth.fields.map((field) => ({
          key: field.key,
          input: field,
          required: field.required,
        }));
        return {
          credentials: { type: 'api_key', values: validateCredentials(specs, values) },
          test: auth.test,
        };
      }
      case 'basic': {
        const specs: CredentialSpec[] = [{ key: 'username', input: auth.username, required: true }];
        if (auth.password) specs.push({ key: 'password', input: auth.password, required: true });
        const checked = validateCredentials(specs, values);
        return {
          credentials: { type: 'basic', username: checked.username ?? '', password: checked.password ?? '' },
          test: auth.test,
        };
      }
      case 'oauth2_client_credentials': {
        const fromConnection = auth.credentialsFrom === 'connection';
        const specs: CredentialSpec[] =
          fromConnection && auth.clientIdInput && auth.clientSecretInput
            ? [
                { key: 'clientId', input: auth.clientIdInput, required: true },
                { key: 'clientSecret', input: auth.clientSecretInput, required: true },
              ]
            : [];
        const checked = validateCredentials(specs, values);
        try {
          const credentials = await clientCredentialsGrant({
            integration,
            auth,
            connectionConfig: config,
            clientId: fromConnection ? (checked.clientId ?? null) : null,
            clientSecret: fromConnection ? (checked.clientSecret ?? null) : null,
            fetch: deps.fetch,
            clock: deps.clock,
          });
          return { credentials, test: auth.test };
        } catch (error) {
          throw grantError(error);
        }
      }
    }
  }

  /** The definition's test call; never throws for a provider answer, only reports it. */
  async function runTest(
    target: CallTarget,
    test: CredentialTest,
    connectionId?: string,
  ): Promise<TestResult> {
    const values = { ...metadataValues(target.metadata), ...target.connectionConfig };
    let status: number;
    try {
      const response = await deps.caller.call(
        connectionId === undefined ? target : { ...target, connectionId },
        { method: test.method, path: renderPath(test.path, values) },
      );
      status = response.status;
      await response.body.cancel().catch(() => {});
    } catch (error) {
      if (isPatchbayError(error) && error.status < 500) throw error;
      return {
        ok: false,
        status: null,
        code: 'provider_unreachable',
        message: 'The provider could not be reached to check the credentials; try again',
      };
    }
    if (status === test.expectedStatus) return { ok: true, status };
    return {
      ok: false,
      status,
      code: 'credentials_rejected',
      message: `The provider did not accept the credentials (it answered ${status}); check them and try again`,
    };
  }

  /**
   * The definition's credential test with a stored connection's credentials. OAuth definitions
   * have no `test` block: their metadata request, when they have one, serves as the test (it is
   * a plain authenticated read), and without one the result is `test_unsupported` rather than an
   * invented success. The credentials are used as stored: refreshing first is the caller's job.
   */
  async function test(connection: ConnectionContext): Promise<TestResult> {
    const auth = connection.integration.definition.auth;
    const target: CallTarget = {
      environmentId: connection.environmentId,
      connectionId: connection.id,
      integration: connection.integration,
      connectionConfig: connection.connectionConfig,
      metadata: connection.metadata,
      credentials: connection.credentials,
    };
    if (
      (auth.mode === 'api_key' || auth.mode === 'basic' || auth.mode === 'oauth2_client_credentials') &&
      auth.test
    ) {
      return runTest(target, auth.test, connection.id);
    }
    const request = auth.mode === 'oauth2' ? auth.connectionMetadata?.request : undefined;
    if (request && connection.credentials.type === 'oauth2') {
      const values: Record<string, string> = {
        ...metadataValues(connection.metadata),
        ...connection.connectionConfig,
        accessToken: connection.credentials.accessToken,
      };
      if (connection.integration.clientId) values.clientId = connection.integration.clientId;
      if (connection.integration.clientSecret) values.clientSecret = connection.integration.clientSecret;
      try {
        const response = await sendMetadataRequest(request, values, deps.fetch);
        if (response.status >= 200 && response.status <= 299) return { ok: true, status: response.status };
        return {
          ok: false,
          status: response.status,
          code: 'credentials_rejected',
          message: `The provider did not accept the connection's token (it answered ${response.status})`,
        };
      } catch (error) {
        if (isPatchbayError(error, 'provider_unreachable')) {
          return { ok: false, status: null, code: 'provider_unreachable', message: error.message };
        }
        throw error;
      }
    }
    return {
      ok: false,
      status: null,
      code: 'test_unsupported',
      message: `The ${connection.integration.provider} definition declares no call to test credentials with`,
    };
  }

  return { connectWithCredentials, test };
}

function grantError(error: unknown): PatchbayError {
  if (error instanceof PatchbayError) return error;
  if (error instanceof TokenEndpointError) {
    if (error.kind === 'refused') {
      return new PatchbayError(
        'credentials_rejected',
        `The provider did not accept the client id and secret${error.error ? ` (${error.error})` : ''}; check them and try again`,
        { details: { status: error.status, ...(error.error ? { error: error.error } : {}) } },
      );
    }
    if (error.kind === 'unreachable') {
      return new PatchbayError('provider_unreachable', 'The provider could not be reached; try again', {
        details: { status: error.status },
      });
    }
    return new PatchbayError(
      'oauth_exchange_failed',
      'The provider answered the token request with something unusable',
      {
        details: { status: error.status, reason: 'invalid_response' },
        status: 502,
      },
    );
  }
  return new PatchbayError('internal_error', 'Getting a client credentials token failed unexpectedly', {
    cause: error,
  });
}

/**
 * The values of an api_key definition's non-secret fields, kept as connection metadata so the
 * host can read them (a checkout page needs Stripe's publishable key); secrets never are.
 */
function publicValues(auth: AuthConfig, credentials: Credentials): Record<string, string> {
  if (auth.mode !== 'api_key' || credentials.type !== 'api_key') return {};
  const values: Record<string, string> = {};
  for (const field of auth.fields) {
    const value = credentials.values[field.key];
    if (!field.secret && value !== undefined) values[field.key] = value;
  }
  return values;
}
